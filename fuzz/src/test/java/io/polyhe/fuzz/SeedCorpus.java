package io.polyhe.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The committed seed corpus of a fuzz target: the files in {@code
 * src/test/resources/<package>/<TestClass>Inputs/<method>/}, where Jazzer reads them (regression
 * mode replays them, fuzzing mode starts from them) and writes the inputs of findings. Files named
 * {@code valid-*} are encodings of valid objects made by the target class's generator; {@code
 * crash-*} files are findings, kept as regression inputs.
 *
 * <p>Generators run as a plain test of each target class; with {@code
 * -Dpolyhe.fuzz.writeSeeds=true} they (re)write their {@code valid-*} files into the source tree (run
 * from the fuzz module's directory, as Maven does), otherwise they only check that the committed
 * ones still decode.
 */
public final class SeedCorpus {
  private SeedCorpus() {}

  /** Whether generators should write their seeds into the source tree. */
  public static boolean writing() {
    return Boolean.getBoolean("polyhe.fuzz.writeSeeds");
  }

  /** The source-tree corpus directory of {@code testClass#method}. */
  public static Path dir(Class<?> testClass, String method) {
    return Paths.get("src", "test", "resources")
        .resolve(testClass.getPackageName().replace('.', '/'))
        .resolve(testClass.getSimpleName() + "Inputs")
        .resolve(method);
  }

  /** Writes {@code seeds} (name → bytes, names without the {@code valid-} prefix) if {@link #writing()}. */
  public static void write(Class<?> testClass, String method, Map<String, byte[]> seeds) {
    if (!writing()) {
      return;
    }
    Path dir = dir(testClass, method);
    try {
      Files.createDirectories(dir);
      for (var e : seeds.entrySet()) {
        Files.write(dir.resolve("valid-" + e.getKey()), e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The committed {@code valid-*} seeds of {@code testClass#method} (fails if there are none). */
  public static List<Path> validSeeds(Class<?> testClass, String method) {
    Path dir = dir(testClass, method);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> valid = new ArrayList<>(
          files.filter(p -> p.getFileName().toString().startsWith("valid-")).sorted().toList());
      if (valid.isEmpty()) {
        throw new AssertionError("no valid-* seeds in " + dir);
      }
      return valid;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a seed file. */
  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
