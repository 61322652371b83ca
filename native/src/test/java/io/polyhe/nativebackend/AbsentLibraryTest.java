package io.polyhe.nativebackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.ComputeBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without a loadable library the provider is empty with its reason, {@code best} falls back to
 * Java and logs why exactly once, and {@code create("native")} throws with the reason. Runs in a
 * child JVM pointed at a missing library, so this JVM's loaded library is not involved.
 */
class AbsentLibraryTest {

  /** Entry point of the child JVM. */
  public static void main(String[] args) {
    System.out.println("best=" + ComputeBackends.best(1).name());
    System.out.println("best=" + ComputeBackends.best(1).name());
    try {
      ComputeBackends.create("native", 1);
      System.out.println("create=ok");
    } catch (IllegalArgumentException e) {
      System.out.println("create=" + e.getMessage());
    }
  }

  @Test
  void missingLibraryMeansJavaBackendAndOneLogLine() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(
            List.of(
                java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dpolyhe.native.lib=/nonexistent/libpolyhe_native.so",
                "-cp", System.getProperty("java.class.path"), AbsentLibraryTest.class.getName()))
        .redirectErrorStream(true)
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("best=java"), out);
    assertTrue(out.contains("create=backend 'native' is not available: -Dpolyhe.native.lib="), out);
    long warnings = out.lines().filter(l -> l.contains("backend 'native' unavailable")).count();
    assertEquals(1, warnings, out);
  }
}
