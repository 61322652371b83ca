package io.polyhe.cli.service;

import io.polyhe.client.ClientModel;
import io.polyhe.client.Keyring;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.models.ShippedModels;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.RefreshMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code polyhe keys}: client keyrings. */
@Command(name = "keys", description = "Client keys.", subcommands = KeysCommand.Gen.class)
public final class KeysCommand implements Runnable {
  /** File name of the keyring in a keys directory. */
  static final String KEYRING = "keyring.phk";

  /** File name of the manifest the keyring was made for. */
  static final String MANIFEST = "manifest.pb";

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * {@code polyhe keys gen}: a secret key for a model, saved encrypted under a passphrase, with the
   * model's manifest (made locally from the shipped model, exactly as a server makes it).
   */
  @Command(name = "gen", mixinStandardHelpOptions = true,
      description = "Make a keyring (secret key encrypted at rest under a passphrase from $"
          + Passphrases.ENV + " or the terminal) for a model; infer --keys DIR uses it.")
  public static final class Gen implements Callable<Integer> {
    @Option(names = "--model", defaultValue = ShippedModels.DEFAULT, description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--out", required = true, description = "Directory for keyring.phk and manifest.pb.")
    Path out;

    @Option(names = "--passphrase-file", description = "File whose first line is the passphrase.")
    Path passphraseFile;

    @Option(names = "--refresh", defaultValue = "client",
        description = "The server's refresh mode (its serve --refresh): client or bootstrap; the parameters differ"
            + " (default: ${DEFAULT-VALUE}).")
    String refresh;

    @Option(names = "--rotation-keys", description = "The server's serve --rotation-keys, if it set one (the"
        + " Galois keys to make follow from it).")
    Integer rotationKeys;

    @Override
    public Integer call() throws Exception {
      var served = ModelRegistry.load(List.of(model), ComputeBackends.best(ComputeBackends.defaultThreads()),
          RefreshMode.of(refresh, false), io.polyhe.server.model.WireFormat.POLYHE,
          java.util.Optional.ofNullable(rotationKeys)).all().iterator().next();
      ClientModel m = new ClientModel(served.manifest());
      char[] pass = Passphrases.read(passphraseFile, "passphrase for the new keyring: ");
      Keyring k = Keyring.generate(m);
      Files.createDirectories(out);
      Files.write(out.resolve(MANIFEST), served.manifest().toByteArray());
      k.save(out.resolve(KEYRING), pass);
      java.util.Arrays.fill(pass, '\0');
      System.out.printf("wrote %s (secret key, Argon2id + AES-256-GCM) and %s for model %s (N = %d, %d Galois keys "
          + "to upload per session)%n", out.resolve(KEYRING), out.resolve(MANIFEST), m.name(), m.parameters().n(),
          m.galoisElements().length);
      return 0;
    }
  }
}
