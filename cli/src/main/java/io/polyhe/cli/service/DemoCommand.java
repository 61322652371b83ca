package io.polyhe.cli.service;

import io.grpc.ManagedChannel;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.Generation;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.cli.run.PromptText;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.polyhe.server.model.WireFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe demo}: the whole product on one machine. Starts a server with the model ({@code
 * --model}, default {@link #DEFAULT_MODEL}, the text model: the product's main job) on a free loopback port (TLS with a fresh self-signed certificate, a random API key, a
 * temporary key store), then runs the client against it over the network stack: manifest, keys
 * (the secret key stays in the client), upload, encrypted generation with client-aided refresh,
 * decryption. Prints the answer, the poly-plain reference, whether they agree, and where the
 * server's time went. Exit code 3 if the answers differ.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a server on a free loopback port and run the encrypted client against it end to end.")
public final class DemoCommand implements Callable<Integer> {
  // Held so the level sticks: the demo prints its own account; the server's access log would repeat it.
  private static final Logger SERVER_LOG = Logger.getLogger("io.polyhe.server");

  /**
   * The demo's model: the GPT-NeoX text model, whose 4-token demo costs what {@code tiny}'s does
   * (docs/decisions.md, "The demo defaults to fortune"); {@code --model tiny} runs the task model.
   */
  static final String DEFAULT_MODEL = "fortune";

  @Option(names = "--model", defaultValue = DEFAULT_MODEL,
      description = "Shipped model name or model directory (default: ${DEFAULT-VALUE}; tiny: the digit-task model).")
  String modelName;

  @Option(names = "--prompt",
      description = "The prompt. Task models: ^S<digits>= sorts, ^R<digits>= reverses, ^C<d>|<digits>= counts"
          + " (3 to 10 digits; default " + PromptText.TASK_PROMPT + "); text models: any text their tokenizer"
          + " covers (default '" + PromptText.TEXT_PROMPT + "').")
  String prompt;

  @Option(names = "--tokens", defaultValue = "4",
      description = "Tokens to generate, stopping early at end of answer (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--profile-out", description = "Directory for breakdown.json, trace.json (Perfetto) and breakdown.html.")
  Path profileOut;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Option(names = "--format", defaultValue = "polyhe",
      description = "polyhe: the Java SDK as the client, polyhe's format; seal: the server in the SEAL profile"
          + " (serve --format seal) and the Node.js client of examples/node (node-seal) as the client"
          + " (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--rotation-keys", description = "Galois keys for at most this many rotation steps; passes"
      + " compose the others from them (default: 21 where that keeps a model's evaluation keys under 100 MB, as"
      + " tiny's and fortune's, else every step: more keys, a larger upload and faster passes).")
  Integer rotationKeys;

  @Override
  public Integer call() throws Exception {
    if (tokens < 1) {
      throw new IllegalArgumentException("--tokens must be at least 1");
    }
    WireFormat wire = WireFormat.of(format);
    if (wire != WireFormat.POLYHE && profileOut != null) {
      throw new IllegalArgumentException("--profile-out needs the Java client (--format polyhe); the Node client"
          + " reports the breakdown in the JSON only");
    }
    Transformer transformer = ShippedModels.loadShippedOrDirectory(modelName);
    try (PromptText tokenizer = new PromptText(transformer.config().tokenizer())) {
      String p = prompt == null ? tokenizer.defaultPrompt() : prompt;
      return wire == WireFormat.POLYHE ? demo(transformer, tokenizer, p) : sealDemo(transformer, tokenizer, p, wire);
    }
  }

  /**
   * The SEAL demo: the server in the SEAL profile, the Node.js client (node-seal) as the client, in
   * its own process. Prints the same account and JSON as the Java demo, plus {@code "format":
   * "seal"} and {@code "client": "node"}.
   */
  private int sealDemo(Transformer transformer, PromptText tokenizer, String prompt, WireFormat wire)
      throws Exception {
    int[] promptTokens = checkedPrompt(transformer, tokenizer, prompt);
    SERVER_LOG.setLevel(Level.WARNING);
    String served = transformer.config().name();
    long start = System.nanoTime();
    JsonObject out;
    try (LoopbackServer loopback = LoopbackServer.start("polyhe-demo-", List.of("demo"),
        b -> b.models(List.of(modelName)).maxSessions(2).cachedSessions(1).format(wire).rotationKeys(rotationKeys))) {
      System.out.printf("server: model %s on localhost:%d (TLS, API key), format seal, in this process%n", served,
          loopback.port());
      System.out.println("client: examples/node (node-seal 7, Microsoft SEAL 4.1) in its own process: SEAL context"
          + " from the manifest, keys, upload, encrypted generation with client-aided refresh ...");
      out = NodeSealClient.generate("localhost:" + loopback.port(), loopback.certificate(), loopback.apiKey("demo"),
          served, prompt, tokens, 3600);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    JsonObject g = out.getAsJsonObject("generation");
    String answer = g.get("answer").getAsString();
    String reference = tokenizer.decode(
        GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, promptTokens, tokens, tokenizer.eos()));
    Optional<String> expected = tokenizer.expectedAnswer(prompt);
    long keyBytes = g.get("key_bytes").getAsLong();
    System.out.printf("%nprompt            %s%n", prompt);
    System.out.printf("encrypted answer  %s%n", answer);
    System.out.printf("poly-plain answer %s%s%n", reference, reference.equals(answer) ? "  (identical)" : "  (DIFFERENT)");
    expected.ifPresent(e -> System.out.printf("expected answer   %s%s%n", e,
        e.equals(answer) ? "  (correct)" : "  (WRONG: the model does not solve this prompt)"));
    System.out.printf("%d pass(es), %.1f s in all (%.1f s generating), %d refreshes; evaluation keys up %.1f MB, "
        + "ciphertexts up %.1f MB, down %.1f MB%n", g.get("passes").getAsInt(), seconds,
        g.get("generation_seconds").getAsDouble(), g.get("refreshes").getAsInt(), keyBytes / 1e6,
        (g.get("bytes_up").getAsLong() - keyBytes) / 1e6, g.get("bytes_down").getAsLong() / 1e6);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("answer", answer);
    json.put("reference_answer", reference);
    json.put("agree", reference.equals(answer));
    expected.ifPresent(e -> {
      json.put("expected_answer", e);
      json.put("correct", e.equals(answer));
    });
    json.put("model", served);
    json.put("prompt", prompt);
    json.put("format", wire.name());
    json.put("client", "node");
    json.put("seconds", seconds);
    json.put("generation_seconds", g.get("generation_seconds").getAsDouble());
    json.put("passes", g.get("passes").getAsInt());
    json.put("refreshes", g.get("refreshes").getAsInt());
    json.put("bytes_up", g.get("bytes_up").getAsLong());
    json.put("bytes_down", g.get("bytes_down").getAsLong());
    json.put("key_bytes", keyBytes);
    json.put("breakdown", new Gson().fromJson(g.get("breakdown"), Map.class));
    if (this.json) {
      System.out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
          .toJson(json));
    }
    return reference.equals(answer) ? 0 : 3;
  }

  private static int[] checkedPrompt(Transformer transformer, PromptText tokenizer, String prompt) {
    int[] promptTokens = tokenizer.encode(prompt);
    if (promptTokens.length == 0 || promptTokens.length >= transformer.config().maxPositions()) {
      throw new IllegalArgumentException("prompt of " + promptTokens.length + " tokens; need 1.."
          + (transformer.config().maxPositions() - 1));
    }
    return promptTokens;
  }

  private int demo(Transformer transformer, PromptText tokenizer, String prompt) throws Exception {
    int[] promptTokens = tokenizer.encode(prompt);
    if (promptTokens.length == 0 || promptTokens.length >= transformer.config().maxPositions()) {
      throw new IllegalArgumentException("prompt of " + promptTokens.length + " tokens; need 1.."
          + (transformer.config().maxPositions() - 1));
    }
    SERVER_LOG.setLevel(Level.WARNING);
    String served = transformer.config().name();
    long start = System.nanoTime();
    try (LoopbackServer loopback = LoopbackServer.start("polyhe-demo-", List.of("demo"),
        b -> b.models(List.of(modelName)).maxSessions(2).cachedSessions(1).rotationKeys(rotationKeys))) {
      System.out.printf("server: model %s on localhost:%d (TLS, API key), in this process%n", served,
          loopback.port());
      ManagedChannel channel = loopback.channel();
      try {
        PolyheClient client = loopback.client(channel, "demo", c -> {});
        ClientModel model = client.model(served);
        System.out.printf("client: manifest of %s: N = %d, %d levels, %d Galois keys; making keys ...%n", model.name(),
            model.parameters().n(), model.parameters().maxLevel(), model.galoisElements().length);
        Keyring keyring = Keyring.generate(model);
        ProgressBar bar = ProgressBar.forTerminal();
        Generation g;
        long uploaded;
        try (ClientSession session = client.openSession(keyring, bar)) {
          uploaded = session.uploadedBytes();
          System.out.printf("client: evaluation keys uploaded (%.0f MB); generating on ciphertexts ...%n", uploaded / 1e6);
          g = session.generate(prompt, tokens, bar);
        }
        bar.finishLine();
        double seconds = (System.nanoTime() - start) / 1e9;
        String reference = tokenizer.decode(
            GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, promptTokens, tokens, tokenizer.eos()));
        Optional<String> expected = tokenizer.expectedAnswer(prompt);
        Map<String, Object> extra = new LinkedHashMap<>();
        expected.ifPresent(e -> {
          extra.put("expected_answer", e);
          extra.put("correct", e.equals(g.text()));
        });
        extra.put("model", served);
        extra.put("prompt", prompt);
        Report.print(prompt, g, reference, expected.orElse(null), extra, seconds, uploaded, profileOut, json);
        return reference.equals(g.text()) ? 0 : 3;
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
