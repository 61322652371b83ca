package io.polyhe.cli.service;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.polyhe.cli.bench.peer.SealPeer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js client of {@code examples/node} (node-seal 7 on the Node 24 its package.json pins)
 * run as a separate process against a server in the SEAL profile: it makes its own SEAL keys,
 * uploads them, encrypts the prompt, answers refresh requests and decrypts, and prints one JSON
 * line, which {@link #generate} returns. Installs the example with {@code npm ci} when its {@code
 * node_modules} is missing or stale (as the SEAL bench peer does). Stateless.
 */
final class NodeSealClient {
  /** Where the client lives, relative to the repository root. */
  static final String DIRECTORY = "examples/node";

  private NodeSealClient() {}

  /**
   * The client's folder above the working directory.
   *
   * @throws IllegalStateException if there is none (the launcher runs from a checkout)
   */
  static Path directory() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve(DIRECTORY);
      if (Files.isRegularFile(candidate.resolve("polyhe-client.mjs"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no " + DIRECTORY + "/polyhe-client.mjs above " + Path.of("").toAbsolutePath()
        + ": run from a polyhe checkout");
  }

  /**
   * Greedy encrypted generation of {@code tokens} tokens after {@code prompt} by the Node client.
   *
   * @return the client's JSON line (its {@code generation} object holds the answer and figures)
   * @throws IOException if the client cannot start
   * @throws IllegalStateException if it fails or prints no JSON (its output is in the message)
   */
  static JsonObject generate(String target, Path cert, String apiKey, String model, String prompt, int tokens,
      int timeoutSeconds) throws IOException, InterruptedException {
    Path dir = directory();
    SealPeer.installIfNeeded(dir);
    List<String> cmd = new ArrayList<>(List.of(dir.resolve("node_modules").resolve(".bin").resolve("node").toString(),
        "polyhe-client.mjs", target, cert.toString(), apiKey, model, prompt, "--generate", Integer.toString(tokens)));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    p.getOutputStream().close();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the Node client took longer than " + timeoutSeconds + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8).strip();
    String last = text.lines().reduce((a, b) -> b).orElse("");
    JsonObject json;
    try {
      json = JsonParser.parseString(last).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalStateException("the Node client printed no JSON (exit " + p.exitValue() + "):\n" + text);
    }
    if (p.exitValue() != 0 || !json.has("generation")) {
      throw new IllegalStateException("the Node client failed (exit " + p.exitValue() + "): "
          + (json.has("error") ? json.get("error").getAsString() : last));
    }
    return json;
  }
}
