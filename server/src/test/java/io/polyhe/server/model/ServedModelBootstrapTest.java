package io.polyhe.server.model;

import static io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_BOOTSTRAP;
import static io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_CLIENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.client.ClientModel;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormat;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.forward.Transformer;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.server.ServerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ServedModel} in the bootstrapping refresh modes: the manifest says {@code bootstrap}, its
 * Galois elements are exactly the model's and the bootstrap circuit's (each once), inputs come in at
 * the bootstrap's output level, and the INSECURE test parameters appear only when opted in by name
 * (a manifest with them is refused by a client that did not opt in). The 128-bit mode is built too
 * (N = 2^16: planning and the circuit, no keys; about 10 s) to pin its parameters and key size
 * against the quota default.
 */
class ServedModelBootstrapTest {
  static ComputeBackend backend;
  static Transformer tinyModel;
  static ServedModel insecure;
  static ServedModel client;

  @BeforeAll
  static void load() throws Exception {
    backend = ComputeBackends.best(ComputeBackends.defaultThreads());
    tinyModel = ShippedModels.load("tiny");
    insecure = ModelRegistry.load(List.of("tiny"), backend, RefreshMode.INSECURE_TEST_BOOTSTRAP).find("tiny")
        .orElseThrow();
    client = ModelRegistry.load(List.of("tiny"), backend).find("tiny").orElseThrow();
  }

  @Test
  void theManifestSaysHowTheServerRefreshes() {
    assertEquals(REFRESH_MODE_BOOTSTRAP, insecure.manifest().getRefresh());
    assertEquals(REFRESH_MODE_CLIENT, client.manifest().getRefresh());
    assertSame(RefreshMode.CLIENT, client.refreshMode());
  }

  @Test
  void galoisElementsAreTheModelsAndTheBootstrapCircuitsEachOnce() {
    LevelPlanner.BootstrapChoice choice = LevelPlanner.insecureBootstrappingForTestsOnly(tinyModel);
    int[] modelElements = choice.model().galoisElements();
    int[] bootElements = Bootstrapper.galoisElements(choice.model().parameters(), choice.bootstrap());
    int[] union = IntStream.concat(Arrays.stream(modelElements), Arrays.stream(bootElements)).distinct().sorted()
        .toArray();
    int[] manifest = insecure.manifest().getGaloisElementsList().stream().mapToInt(Integer::intValue).toArray();
    assertArrayEquals(union, manifest, "one key per element of the union, no more");
    assertEquals(union.length, insecure.galoisElements().size());
    for (int g : bootElements) {
      assertTrue(insecure.galoisElements().contains(g), "bootstrap element " + g + " missing");
    }
    assertTrue(union.length > modelElements.length, "the bootstrap needs keys the model does not");
    assertEquals(HeFormat.switchingKeySize(insecure.parameters().rlwe()) * (1L + union.length),
        insecure.keyBytesPerSession());
  }

  @Test
  void inputsComeInAtTheBootstrapOutputLevel() {
    ModelManifest m = insecure.manifest();
    Bootstrapper b = insecure.bootstrapper(new Evaluator(insecure.context()));
    assertEquals(b.outputLevel(), m.getInputLevel());
    assertEquals(insecure.inputLevel(), m.getInputLevel());
    assertTrue(m.getInputLevel() < insecure.parameters().maxLevel());
    assertEquals(client.parameters().maxLevel(), client.manifest().getInputLevel());
    assertThrows(IllegalStateException.class, () -> client.bootstrapper(new Evaluator(client.context())));
  }

  @Test
  void insecureParametersOnlyWhenOptedInByName() {
    // The flags: --insecure-test-bootstrap is refused without --refresh bootstrap, and bootstrap alone is secure.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RefreshMode.of("client", true));
    assertTrue(e.getMessage().contains("--refresh bootstrap"), e.getMessage());
    assertSame(RefreshMode.BOOTSTRAP, RefreshMode.of("bootstrap", false));
    assertFalse(RefreshMode.BOOTSTRAP.insecure());
    assertSame(RefreshMode.INSECURE_TEST_BOOTSTRAP, RefreshMode.of("bootstrap", true));
    assertSame(RefreshMode.CLIENT, RefreshMode.of("client", false));
    assertThrows(IllegalArgumentException.class, () -> RefreshMode.of("bootstrapping", false));

    // The opted-in model is insecure, and says so in its encoded parameters: a client that did not
    // opt in refuses the manifest.
    assertTrue(insecure.parameters().rlwe().isInsecure());
    assertEquals(64, insecure.parameters().rlwe().secretHammingWeight());
    byte[] encoded = insecure.manifest().getParameters().getEncoded().toByteArray();
    assertThrows(IllegalArgumentException.class, () -> HeFormat.readParameters(encoded));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(insecure.manifest()));
    assertFalse(client.parameters().rlwe().isInsecure());
  }

  @Test
  void theSecureModeIs128BitAndItsKeysFitTheBootstrapQuotaDefault() throws Exception {
    ServedModel secure = ModelRegistry.load(List.of("tiny"), backend, RefreshMode.BOOTSTRAP).find("tiny")
        .orElseThrow();
    CkksParameters p = secure.parameters();
    assertFalse(p.rlwe().isInsecure());
    assertEquals(16, p.logN());
    assertEquals(320, p.rlwe().secretHammingWeight());
    assertEquals(REFRESH_MODE_BOOTSTRAP, secure.manifest().getRefresh());
    // Why the bootstrap default exists: these keys do not fit the client-aided default.
    long keys = secure.keyBytesPerSession();
    System.out.printf("tiny, 128-bit bootstrapping: %d Galois keys, %d key bytes per session%n",
        secure.galoisElements().size(), keys);
    assertTrue(keys > ServerConfig.DEFAULT_KEY_BYTES_PER_SESSION, "keys " + keys);
    assertTrue(keys <= ServerConfig.DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP, "keys " + keys);
    ServerConfig.Builder b = ServerConfig.builder().keyStore(Path.of("/tmp/unused"));
    assertEquals(ServerConfig.DEFAULT_KEY_BYTES_PER_SESSION, b.build().maxKeyBytesPerSession());
    assertEquals(ServerConfig.DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP,
        b.refresh(RefreshMode.BOOTSTRAP).build().maxKeyBytesPerSession());
    assertEquals(999, b.maxKeyBytesPerSession(999).build().maxKeyBytesPerSession(), "an explicit quota wins");
  }
}
