package io.polyhe.cli.service;

import io.polyhe.server.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code polyhe certs}: TLS material. */
@Command(name = "certs", description = "TLS certificates.", subcommands = CertsCommand.Gen.class)
public final class CertsCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code polyhe certs gen}: a self-signed certificate and key (Bouncy Castle, ECDSA P-256). */
  @Command(name = "gen", mixinStandardHelpOptions = true,
      description = "Make a self-signed certificate (cert.pem) and its PKCS#8 key (key.pem) for serve --tls-cert/--tls-key; "
          + "clients trust cert.pem with --tls-ca.")
  public static final class Gen implements Callable<Integer> {
    @Option(names = "--out", defaultValue = ".", description = "Directory (default: current).")
    Path out;

    @Option(names = "--host", split = ",", defaultValue = "localhost,127.0.0.1",
        description = "Host names and IPs the certificate is for (default: ${DEFAULT-VALUE}).")
    List<String> hosts;

    @Option(names = "--days", defaultValue = "365", description = "Validity (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      if (days < 1) {
        throw new IllegalArgumentException("--days must be at least 1");
      }
      Path cert = out.resolve("cert.pem");
      Path key = out.resolve("key.pem");
      SelfSignedCertificate.generate(cert, key, hosts, Duration.ofDays(days));
      System.out.println("wrote " + cert + " and " + key + " (owner-readable only) for " + String.join(", ", hosts));
      return 0;
    }
  }
}
