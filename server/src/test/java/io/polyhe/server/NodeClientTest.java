package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another language: {@code examples/node/polyhe-client.mjs} (@grpc/grpc-js + @grpc/proto-loader,
 * pinned by its package-lock.json) fetches the manifest over TLS with an API key (its refresh mode
 * read as the proto enum) and gets INVALID_ARGUMENT for a malformed Infer. CI installs it ({@code .ci/run}: npm ci); when it is
 * missing this test installs it the same way, and is skipped only when npm is not on PATH.
 */
class NodeClientTest {
  @TempDir Path dir;

  static Path exampleDir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("examples").resolve("node");
      if (Files.isRegularFile(candidate.resolve("package-lock.json"))) {
        return candidate;
      }
    }
    throw new AssertionError("no examples/node above " + Path.of("").toAbsolutePath());
  }

  static boolean onPath(String tool) {
    try {
      return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String run(Path cwd, List<String> command, int seconds) throws Exception {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + command);
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command + " failed:\n" + text);
    return text;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void nodeClientReadsTheManifestAndGetsInvalidArgumentForAMalformedInfer() throws Exception {
    Path example = exampleDir();
    boolean installed = Files.isDirectory(example.resolve("node_modules").resolve("@grpc").resolve("grpc-js"));
    assumeTrue(installed || onPath("npm"), "npm is not on PATH, so the Node client cannot be installed");
    assumeTrue(onPath("node"), "node is not on PATH");
    if (!installed) {
      run(example, List.of("npm", "ci", "--no-audit", "--no-fund"), 180);
    }
    try (TestServer server = TestServer.start(dir, b -> {})) {
      String out = run(example, List.of("node", "polyhe-client.mjs", "localhost:" + server.server.port(),
          server.cert.toString(), TestServer.ALICE_KEY), 60);
      String last = out.strip().lines().reduce((a, b) -> b).orElse("");
      assertTrue(last.contains("\"ok\":true"), out);
      assertTrue(last.contains("\"code\":\"INVALID_ARGUMENT\""), out);
      assertTrue(last.contains("\"log_n\":14"), out);
      assertTrue(last.contains("\"refresh\":\"REFRESH_MODE_CLIENT\""), out);
      System.out.println("node client: " + last);
    }
  }

  /** The text model's manifest read from Node, and a prompt tokenised there as the Java SDK does. */
  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void nodeClientTokenisesForTheTextModel() throws Exception {
    Path example = exampleDir();
    boolean installed = Files.isDirectory(example.resolve("node_modules").resolve("@grpc").resolve("grpc-js"));
    assumeTrue(installed || onPath("npm"), "npm is not on PATH, so the Node client cannot be installed");
    assumeTrue(onPath("node"), "node is not on PATH");
    if (!installed) {
      run(example, List.of("npm", "ci", "--no-audit", "--no-fund"), 180);
    }
    Path modelDir = NewtonFreeFortune.write(dir.resolve("fortune"));
    String prompt = "Love is <|endoftext|>a \"bug\".";
    try (TestServer server = TestServer.start(dir, b -> b.models(List.of(modelDir.toString())))) {
      var channel = server.channel();
      int[] sdk;
      try {
        sdk = TestServer.client(channel, TestServer.ALICE_KEY).model("fortune").tokenizer().encode(prompt);
      } finally {
        channel.shutdownNow();
      }
      String out = run(example, List.of("node", "polyhe-client.mjs", "localhost:" + server.server.port(),
          server.cert.toString(), TestServer.ALICE_KEY, "fortune", prompt), 60);
      String last = out.strip().lines().reduce((a, b) -> b).orElse("");
      assertTrue(last.contains("\"ok\":true"), out);
      assertTrue(last.contains("\"tokenizer\":\"tokenizer.json\""), out);
      assertTrue(last.contains("\"position_rows\":0"), out);
      String ids = java.util.Arrays.stream(sdk).mapToObj(Integer::toString)
          .collect(java.util.stream.Collectors.joining(","));
      assertTrue(last.contains("\"prompt_ids\":[" + ids + "]"), "SDK ids [" + ids + "]; node: " + out);
      System.out.println("node client: " + last);
    }
  }
}
