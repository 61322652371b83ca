package io.polyhe.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real server in a child JVM (plaintext, loopback, no API keys) on a given key store, for tests
 * that kill the process: {@link #start} launches it and waits for its port; {@link #main} is the
 * child's entry point.
 */
final class ChildServer implements AutoCloseable {
  final Process process;
  final int port;

  private ChildServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the child on {@code keyStore} and waits (up to two minutes) until it listens. */
  static ChildServer start(Path keyStore) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx2g", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
        ChildServer.class.getName(), keyStore.toString())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    String line;
    while ((line = out.readLine()) != null && System.nanoTime() < end) {
      if (line.startsWith("PORT ")) {
        int port = Integer.parseInt(line.substring(5).strip());
        // Keep draining the child's output so it never blocks on a full pipe.
        Thread.ofPlatform().daemon(true).start(() -> out.lines().forEach(l -> { }));
        return new ChildServer(p, port);
      }
    }
    p.destroyForcibly();
    throw new IOException("child server did not start; last line: " + line);
  }

  /** kill -9: no shutdown hook, no finally block runs in the child. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  public static void main(String[] args) throws Exception {
    PolyheServer server = new PolyheServer(ServerConfig.builder().port(0).keyStore(Path.of(args[0]))
        .maxSessionsPerCaller(8).build()).start();
    System.out.println("PORT " + server.port());
    System.out.flush();
    server.blockUntilShutdown();
    server.stop(Duration.ofSeconds(1));
  }
}
