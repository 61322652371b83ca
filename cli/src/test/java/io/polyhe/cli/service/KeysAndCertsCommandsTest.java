package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.cli.Main;
import io.polyhe.client.ClientModel;
import io.polyhe.client.Keyring;
import io.polyhe.proto.v1.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeysAndCertsCommandsTest {
  @TempDir Path dir;

  @Test
  void certsGenWritesAPemCertificateAndAPkcs8Key() throws Exception {
    int code = new CommandLine(new Main()).execute("certs", "gen", "--out", dir.toString(), "--host", "example.test,10.0.0.1");
    assertEquals(0, code);
    assertTrue(Files.readString(dir.resolve("cert.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
    assertTrue(Files.readString(dir.resolve("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
    // The key is usable by gRPC's TLS (PKCS#8) with the certificate.
    io.grpc.TlsServerCredentials.create(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile());
  }

  @Test
  void keysGenWritesAKeyringThatLoadsOnlyWithItsPassphrase() throws Exception {
    Path pass = dir.resolve("pass.txt");
    Files.writeString(pass, "a long enough passphrase\n");
    Path out = dir.resolve("keys");
    int code = new CommandLine(new Main()).execute("keys", "gen", "--model", "tiny", "--out", out.toString(),
        "--passphrase-file", pass.toString());
    assertEquals(0, code);
    ClientModel model = new ClientModel(ModelManifest.parseFrom(Files.readAllBytes(out.resolve("manifest.pb"))));
    Keyring k = Keyring.load(out.resolve("keyring.phk"), "a long enough passphrase".toCharArray(), model);
    assertEquals("tiny", k.model().name());
    assertThrows(IllegalArgumentException.class,
        () -> Keyring.load(out.resolve("keyring.phk"), "another passphrase".toCharArray(), model));
  }
}
