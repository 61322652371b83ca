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

  /**
   * The complete SEAL client: {@code examples/node} on node-seal (Microsoft SEAL 4.1) against a real
   * server in the SEAL profile (TLS, API key) makes its keys from the manifest's EncryptionParameters
   * bytes, uploads them, encrypts the prompt, answers the refresh requests and decrypts; its greedy
   * answer must equal the poly-plain answer of the shipped model ({@code tiny}, 1 token: one pass). Needs the
   * Node 24 that examples/node pins (installed with it).
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void nodeSealClientAnswersAsPolyPlainInTheSealProfile() throws Exception {
    Path example = exampleDir();
    Path node24 = example.resolve("node_modules").resolve(".bin").resolve("node");
    boolean installed = Files.isExecutable(node24)
        && Files.isDirectory(example.resolve("node_modules").resolve("node-seal"));
    assumeTrue(installed || onPath("npm"), "npm is not on PATH, so the Node client cannot be installed");
    if (!installed) {
      run(example, List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
    }
    String prompt = "^S342=";
    int tokens = 1;
    var tiny = io.polyhe.models.ShippedModels.load("tiny");
    var spec = tiny.config().tokenizer();
    // task-chars: one token per character, its index in the vocabulary
    int[] ids = prompt.codePoints().map(c -> spec.vocab().indexOf(Character.toString(c))).toArray();
    int[] ref = io.polyhe.models.forward.GreedyGenerator.generate(tiny, io.polyhe.models.forward.Mode.POLY_PLAIN, ids,
        tokens, spec.eos());
    String reference = java.util.Arrays.stream(ref).mapToObj(spec.vocab()::get).collect(java.util.stream.Collectors.joining());
    try (TestServer server = TestServer.start(dir, b -> b.format(io.polyhe.server.model.WireFormat.of("seal")))) {
      String out = run(example, List.of(node24.toString(), "polyhe-client.mjs", "localhost:" + server.server.port(),
          server.cert.toString(), TestServer.ALICE_KEY, "tiny", prompt, "--generate", Integer.toString(tokens),
          // keys uncompressed (zstd costs the client about 2 s per key), ciphertexts zstd: both modes
          "--key-compression", "none", "--compression", "zstd"), 600);
      String last = out.strip().lines().reduce((a, b) -> b).orElse("");
      var json = com.google.gson.JsonParser.parseString(last).getAsJsonObject();
      assertEquals("CIPHERTEXT_FORMAT_SEAL", json.get("format").getAsString(), out);
      var g = json.getAsJsonObject("generation");
      assertEquals(reference, g.get("answer").getAsString(), "poly-plain vs the Node SEAL client: " + out);
      assertTrue(g.get("refreshes").getAsInt() > 0, "the pass should need client-aided refreshes: " + out);
      assertTrue(g.get("key_bytes").getAsLong() > 0, out);
      System.out.println("node SEAL client: " + last);
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
