package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.Keyring;
import io.polyhe.client.ModelInfo;
import io.polyhe.client.PartialUploads;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.ProgressListener;
import io.polyhe.client.RefreshMode;
import io.polyhe.client.SessionInfo;
import io.polyhe.he.io.HeFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against the server's services on grpc-java's in-process transport: listings as SDK types,
 * auth, unknown models, and sessions that cannot infer. Nothing here depends on a port or TLS
 * (ServiceEndToEndTest and MutualTlsTest keep those), and no pass runs, so it takes seconds.
 */
class ClientSdkInProcessTest {
  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static PolyheClient alice;
  static ClientModel model;
  static Keyring keyring;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.inProcess(dir, b -> {});
    channel = server.channel();
    alice = TestServer.client(channel, TestServer.ALICE_KEY);
    model = alice.model("tiny");
    keyring = Keyring.generate(model);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  @Test
  void modelsAreListedAsSdkTypesAndMatchTheirManifests() {
    List<ModelInfo> models = alice.listModels();
    assertEquals(List.of(model.info()), models);
    assertEquals("tiny", models.get(0).name());
    assertTrue(models.get(0).modelHash().matches("[0-9a-f]{64}"), models.get(0).modelHash());
    assertEquals(RefreshMode.CLIENT, model.refresh(), "a default server refreshes client-aided");
    assertEquals(io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_CLIENT, model.manifest().getRefresh(),
        "the server states the mode, not leaving it unset");
  }

  @Test
  void callsWithoutOrWithUnknownApiKeyAreUnauthenticated() {
    var noKey = assertThrows(StatusRuntimeException.class, () -> TestServer.client(channel, null).listModels());
    assertEquals(Status.Code.UNAUTHENTICATED, noKey.getStatus().getCode());
    var badKey = assertThrows(StatusRuntimeException.class,
        () -> TestServer.client(channel, "mallory-key-0123456789abcdef").model("tiny"));
    assertEquals(Status.Code.UNAUTHENTICATED, badKey.getStatus().getCode());
    // Health stays reachable without a key.
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void unknownModelIsNotFound() {
    var e = assertThrows(StatusRuntimeException.class, () -> alice.model("no-such-model"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  /**
   * A session with two of the manifest's Galois keys: listed to its caller only (as the SDK's
   * SessionInfo, equal to the upload's answer), refused with FAILED_PRECONDITION when the SDK infers
   * in it, deleted by its caller only.
   */
  @Test
  void aSessionWithoutAllGaloisKeysIsListedCannotInferAndIsDeletedByItsCallerOnly() {
    long keySize = HeFormat.switchingKeySize(model.parameters().rlwe());
    SessionInfo partial = PartialUploads.upload(alice, keyring, Arrays.copyOf(model.galoisElements(), 2),
        ProgressListener.NONE);
    try {
      assertEquals("tiny", partial.model());
      assertEquals(3 * keySize, partial.storedBytes(), "the relinearisation key and two Galois keys");
      assertTrue(partial.expiresAt().isAfter(Instant.now()));
      assertEquals(List.of(partial), alice.listSessions());

      var infer = assertThrows(StatusRuntimeException.class,
          () -> ClientSession.resume(alice, keyring, partial.id()).infer(new int[] {1, 2}));
      assertEquals(Status.Code.FAILED_PRECONDITION, infer.getStatus().getCode(), infer.getStatus().toString());
      assertTrue(infer.getStatus().getDescription().contains("Galois keys"), infer.getStatus().getDescription());

      PolyheClient bob = TestServer.client(channel, TestServer.BOB_KEY);
      assertTrue(bob.listSessions().isEmpty(), "bob lists none of alice's sessions");
      var e = assertThrows(StatusRuntimeException.class, () -> bob.deleteSession(partial.id()));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    } finally {
      alice.deleteSession(partial.id());
    }
    assertTrue(alice.listSessions().isEmpty());
    var gone = assertThrows(StatusRuntimeException.class,
        () -> ClientSession.resume(alice, keyring, partial.id()).infer(new int[] {1}));
    assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
  }
}
