package io.polyhe.he.io.seal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Microsoft SEAL 4.1 (node-seal 7.0.0 on the Node 24 that {@code bench/peer} pins), driven over
 * JSON lines through {@code bench/peer/seal-wire.mjs}: the other side of the SEAL-format tests.
 * Installs the peer with {@code npm ci} when {@code node_modules} is missing (as {@code
 * SealPeer} of the cli does). One request at a time; close it to end the process.
 */
final class SealWire implements AutoCloseable {
  private static final Gson GSON = new Gson();
  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  private SealWire(Process process) {
    this.process = process;
    this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static Path peerDirectory() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("bench/peer/seal-wire.mjs"))) {
        return d.resolve("bench/peer");
      }
    }
    throw new IllegalStateException("bench/peer/seal-wire.mjs not found above " + dir);
  }

  static SealWire start() {
    Path dir = peerDirectory();
    try {
      install(dir);
      Process p = new ProcessBuilder(dir.resolve("node_modules/.bin/node").toString(), "seal-wire.mjs")
          .directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      return new SealWire(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void install(Path dir) throws IOException {
    if (Files.isExecutable(dir.resolve("node_modules/.bin/node"))
        && Files.isDirectory(dir.resolve("node_modules/node-seal"))) {
      return;
    }
    try (FileChannel lock = FileChannel.open(dir.resolve(".npm-ci.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var held = lock.lock()) {
      if (Files.isDirectory(dir.resolve("node_modules/node-seal"))) {
        return;
      }
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .start();
      if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        throw new IllegalStateException("npm ci in " + dir + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends one request; returns the reply, or throws with SEAL's error text. */
  JsonObject call(Map<String, ?> request) {
    JsonObject reply = tryCall(request);
    if (!reply.get("ok").getAsBoolean()) {
      throw new IllegalStateException("SEAL: " + reply.get("error").getAsString());
    }
    return reply;
  }

  /** Sends one request; returns the reply as it is (ok or not). */
  JsonObject tryCall(Map<String, ?> request) {
    try {
      in.write(GSON.toJson(request));
      in.newLine();
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("seal-wire ended");
      }
      return JsonParser.parseString(line).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] bytes(JsonElement e) {
    return Base64.getDecoder().decode(e.getAsString());
  }

  /** {@code reply[field][mode]} as bytes, mode "none" or "zstd". */
  static byte[] bytes(JsonObject reply, String field, ComprMode mode) {
    return bytes(reply.getAsJsonObject(field).get(mode == ComprMode.NONE ? "none" : "zstd"));
  }

  @Override
  public void close() {
    try {
      in.write("{\"cmd\":\"quit\"}\n");
      in.flush();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
