package io.polyhe.cli.service;

import io.grpc.ManagedChannel;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.Generation;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.proto.v1.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code polyhe infer}: the client. Fetches the manifest, makes (or loads) keys, uploads the
 * evaluation keys, generates on ciphertexts, prints the answer and the server's breakdown.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
    description = "Encrypted generation against a polyhe server: the prompt and answer never leave this machine "
        + "unencrypted.")
public final class InferCommand implements Callable<Integer> {
  @Option(names = "--target", defaultValue = "localhost:50051", description = "HOST:PORT (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--tls-ca", description = "PEM CA (or the server's self-signed cert) to trust.")
  Path tlsCa;

  @Option(names = "--tls-client-cert", description = "PEM client certificate (mTLS).")
  Path clientCert;

  @Option(names = "--tls-client-key", description = "PEM PKCS#8 key of --tls-client-cert.")
  Path clientKey;

  @Option(names = "--plaintext", description = "No TLS (loopback testing only).")
  boolean plaintext;

  @Option(names = "--api-key", description = "Bearer API key (visible in ps and shell history: prefer"
      + " --api-key-file or $POLYHE_API_KEY).")
  String apiKey;

  @Option(names = "--api-key-file", description = "File whose first line is the bearer API key.")
  java.nio.file.Path apiKeyFile;

  @Option(names = "--model", defaultValue = "tiny", description = "Model (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--keys", description = "Keys directory from polyhe keys gen (default: fresh keys in memory).")
  Path keys;

  @Option(names = "--passphrase-file", description = "File whose first line is the keyring passphrase (with --keys).")
  Path passphraseFile;

  @Option(names = "--tokens", defaultValue = "4", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Parameters(index = "0", description = "The prompt, e.g. ^S342=")
  String prompt;

  @Override
  public Integer call() throws Exception {
    String key = apiKey != null ? apiKey
        : apiKeyFile != null ? java.nio.file.Files.readAllLines(apiKeyFile).stream().findFirst().orElse("").strip()
        : System.getenv("POLYHE_API_KEY");
    ManagedChannel channel = Channels.open(target, tlsCa, clientCert, clientKey, plaintext);
    try {
      PolyheClient.Builder b = PolyheClient.builder(channel);
      if (key != null && !key.isEmpty()) {
        b.apiKey(key);
      }
      PolyheClient client = b.build();
      ClientModel m = client.model(model);
      Keyring keyring;
      if (keys != null) {
        ModelManifest saved = ModelManifest.parseFrom(Files.readAllBytes(keys.resolve(KeysCommand.MANIFEST)));
        if (!saved.getInfo().getModelHash().equals(m.manifest().getInfo().getModelHash())
            || !saved.getParameters().getParametersHash().equals(m.manifest().getParameters().getParametersHash())) {
          throw new IllegalArgumentException("the keys in " + keys + " were made for another model or parameters "
              + "than the server's " + model);
        }
        keyring = Keyring.load(keys.resolve(KeysCommand.KEYRING), Passphrases.read(passphraseFile, "keyring passphrase: "), m);
      } else {
        keyring = Keyring.generate(m);
      }
      ProgressBar bar = ProgressBar.forTerminal();
      long start = System.nanoTime();
      Generation g;
      long uploaded;
      try (ClientSession session = client.openSession(keyring, bar)) {
        uploaded = session.uploadedBytes();
        g = session.generate(prompt, tokens, bar);
      }
      bar.finishLine();
      double seconds = (System.nanoTime() - start) / 1e9;
      Report.print(prompt, g, null, seconds, uploaded, null, json);
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
