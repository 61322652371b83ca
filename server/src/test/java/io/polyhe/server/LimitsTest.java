package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.ClientModel;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.DeleteSessionRequest;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's resource limits over the wire, each exactly at the limit (accepted) and one past it
 * (refused with a clear status), on a server configured with small limits: message size, chunks per
 * object, decoded object size, key bytes per session, sessions per caller, and the upload idle
 * timeout (a client that stalls mid-upload). Queue places and the store's session count are tested
 * in InferenceQueueTest and SessionStoreTest; the chunk and size limits of Infer inputs share the
 * code tested in ChunkAssemblerTest.
 */
class LimitsTest {
  static final int CHUNKS = 6;
  // Long enough that no legitimate upload of this class stalls that long on a loaded 2-core machine.
  static final long IDLE_MILLIS = 5000;

  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static ClientModel model;
  static long keySize;
  static byte[] key0;
  static byte[] key1;
  static byte[] key2;

  @BeforeAll
  static void start() throws Exception {
    // Sizes that follow from the model: start a throwaway server to read its manifest.
    try (TestServer probe = TestServer.start(dir.resolve("probe"), b -> {})) {
      ManagedChannel c = probe.channel();
      model = TestServer.client(c, TestServer.ALICE_KEY).model("tiny");
      c.shutdownNow();
    }
    keySize = HeFormat.switchingKeySize(model.parameters().rlwe());
    Keyring keyring = Keyring.generate(model);
    int[] g = model.galoisElements();
    key0 = HeFormat.write(keyring.galoisKey(g[0]));
    key1 = HeFormat.write(keyring.galoisKey(g[1]));
    key2 = HeFormat.write(keyring.galoisKey(g[2]));
    assertEquals(keySize, key0.length);
    assertTrue(keySize <= CHUNKS * (1L << 20), "a key fits in " + CHUNKS + " chunks of 1 MiB: " + keySize);
    server = TestServer.start(dir, b -> b.maxMessageBytes(ServerConfig.MIN_MESSAGE_BYTES).maxChunksPerObject(CHUNKS)
        .maxDecodedBytes(keySize).maxKeyBytesPerSession(2 * keySize).maxSessionsPerCaller(1)
        .uploadIdleTimeout(java.time.Duration.ofMillis(IDLE_MILLIS)));
    channel = server.channel();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  @AfterEach
  void nothingIsLeftBehind() throws Exception {
    PolyheClient alice = TestServer.client(channel, TestServer.ALICE_KEY);
    alice.listSessions().forEach(s -> alice.deleteSession(s.id()));
    PolyheClient bob = TestServer.client(channel, TestServer.BOB_KEY);
    bob.listSessions().forEach(s -> bob.deleteSession(s.id()));
    try (Stream<Path> files = Files.list(server.keyStore)) {
      assertEquals(0, files.count(), "no session or temporary directory left");
    }
  }

  static KeyUploadHeader.Builder header(int... elements) {
    return RawUpload.header("tiny", com.google.protobuf.ByteString.copyFrom(model.parameters().rlwe().hash()),
        keySize, elements);
  }

  static int[] elements(int n) {
    return java.util.Arrays.copyOf(model.galoisElements(), n);
  }

  static Status upload(String apiKey, int keys, int chunksPerKey) throws Exception {
    byte[][] bytes = {key0, key1, key2};
    return RawUpload.run(channel, apiKey, u -> {
      u.header(header(elements(keys)));
      for (int i = 0; i < keys; i++) {
        u.chunks(bytes[i], chunksPerKey);
      }
    });
  }

  // ------------------------------------------------------------------ message size

  static Status deleteRequestOfSerialisedSize(int size) {
    // Field 1 (tag 1 byte) + varint length (3 bytes for 2^14..2^21) + the string.
    String id = "x".repeat(size - 4);
    DeleteSessionRequest r = DeleteSessionRequest.newBuilder().setSessionId(id).build();
    assertEquals(size, r.getSerializedSize());
    try {
      KeyServiceGrpc.newBlockingStub(channel).withCallCredentials(RawInfer.bearer(TestServer.ALICE_KEY))
          .withDeadlineAfter(30, TimeUnit.SECONDS).deleteSession(r);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void messageSizeAtTheLimitIsReadAndOnePastIsRefusedByTheTransport() {
    // Read and answered by the service: the id is not a session.
    assertEquals(Status.Code.NOT_FOUND, deleteRequestOfSerialisedSize(ServerConfig.MIN_MESSAGE_BYTES).getCode());
    Status past = deleteRequestOfSerialisedSize(ServerConfig.MIN_MESSAGE_BYTES + 1);
    assertTrue(past.getCode() == Status.Code.RESOURCE_EXHAUSTED || past.getCode() == Status.Code.CANCELLED,
        past.toString());
    assertTrue(TestServer.client(channel, TestServer.ALICE_KEY).listSessions().isEmpty(), "the server serves on");
  }

  // ------------------------------------------------------------------ chunks and decoded size

  @Test
  void aKeyInExactlyTheChunkLimitIsStoredAndOneChunkMoreIsRefused() throws Exception {
    assertEquals(Status.Code.OK, upload(TestServer.ALICE_KEY, 1, CHUNKS).getCode());
    assertEquals(1, TestServer.client(channel, TestServer.ALICE_KEY).listSessions().size());
    Status past = upload(TestServer.BOB_KEY, 1, CHUNKS + 1);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("limit of " + CHUNKS + " chunks"), past.getDescription());
  }

  @Test
  void aKeyOfExactlyTheDecodedLimitIsStoredAndOneByteMoreIsRefusedFromItsHeader() throws Exception {
    // The server's decoded-object limit is exactly one key: the upload above-the-line works.
    assertEquals(Status.Code.OK, upload(TestServer.ALICE_KEY, 1, 1 + (int) (keySize >> 20)).getCode());
    Status past = RawUpload.run(channel, TestServer.BOB_KEY, u -> u.header(header().addKeys(
        io.polyhe.proto.v1.KeyDescriptor.newBuilder().setKind(io.polyhe.proto.v1.KeyKind.KEY_KIND_GALOIS)
            .setGaloisElement(model.galoisElements()[0]).setSizeBytes(keySize + 1))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("per decoded object"), past.getDescription());
  }

  // ------------------------------------------------------------------ per session, per caller

  @Test
  void keysOfExactlyTheSessionQuotaAreStoredAndOneKeyMoreIsRefused() throws Exception {
    assertEquals(Status.Code.OK, upload(TestServer.ALICE_KEY, 2, CHUNKS).getCode(), "2 keys = the quota");
    Status past = RawUpload.run(channel, TestServer.BOB_KEY, u -> u.header(header(elements(3))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("per-session quota"), past.getDescription());
  }

  @Test
  void aCallerHoldsExactlyItsSessionLimitAndIsRefusedOneMoreWhileOthersAreNot() throws Exception {
    assertEquals(Status.Code.OK, upload(TestServer.ALICE_KEY, 1, CHUNKS).getCode());
    Status past = upload(TestServer.ALICE_KEY, 1, CHUNKS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("per-caller limit"), past.getDescription());
    assertEquals(Status.Code.OK, upload(TestServer.BOB_KEY, 1, CHUNKS).getCode(), "another caller is not affected");
  }

  // ------------------------------------------------------------------ a client that stalls

  @Test
  void anUploadThatStallsMidStreamIsDroppedAfterTheIdleTimeoutAndFreesItsPlace() throws Exception {
    RawUpload stalled = RawUpload.open(channel, TestServer.ALICE_KEY, 60).header(header(elements(1)))
        .chunk(java.util.Arrays.copyOf(key0, 1 << 20));
    long t0 = System.nanoTime();
    Status s = stalled.awaitStatus(30);
    double waited = (System.nanoTime() - t0) / 1e6;
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("no upload message"), s.getDescription());
    assertTrue(waited >= IDLE_MILLIS * 0.8, "dropped only after the idle timeout, not after " + waited + " ms");
    // Its session place (alice may hold one) and temporary files are free again.
    assertEquals(Status.Code.OK, upload(TestServer.ALICE_KEY, 1, CHUNKS).getCode());
  }
}
