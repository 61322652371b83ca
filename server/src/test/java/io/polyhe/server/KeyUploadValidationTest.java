package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.GetModelManifestRequest;
import io.polyhe.proto.v1.KeyChunk;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import io.polyhe.proto.v1.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed key uploads: each is refused with INVALID_ARGUMENT (or RESOURCE_EXHAUSTED past the
 * quota), creates no session and leaves no file behind. No keys are generated: the server must
 * reject these from their headers and bytes alone.
 */
class KeyUploadValidationTest {
  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static ModelManifest manifest;
  static long keySize;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dir, b -> b.maxKeyBytesPerSession(20L << 20));
    channel = server.channel();
    manifest = ModelServiceGrpc.newBlockingStub(channel).withCallCredentials(RawInfer.bearer(TestServer.ALICE_KEY))
        .getModelManifest(GetModelManifestRequest.newBuilder().setModel("tiny").build());
    keySize = HeFormat.switchingKeySize(
        HeFormat.readParameters(manifest.getParameters().getEncoded().toByteArray()).rlwe());
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  @AfterEach
  void nothingWasStored() throws Exception {
    assertEquals(0, server.server.metrics().gaugeValue("polyhe_sessions"));
    try (Stream<Path> files = Files.list(server.keyStore)) {
      assertEquals(0, files.count(), "no session or temporary directory left");
    }
  }

  static KeyUploadHeader.Builder header(int... elements) {
    KeyUploadHeader.Builder h = KeyUploadHeader.newBuilder().setModel("tiny")
        .setParametersHash(manifest.getParameters().getParametersHash());
    for (int g : elements) {
      h.addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(g).setSizeBytes(keySize));
    }
    return h;
  }

  /** Runs an upload: sends what {@code body} sends, half-closes, returns the final status. */
  static Status upload(Consumer<StreamObserver<KeyUploadRequest>> body) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    StreamObserver<KeyUploadRequest> req = KeyServiceGrpc.newStub(channel)
        .withCallCredentials(RawInfer.bearer(TestServer.ALICE_KEY)).withDeadlineAfter(30, TimeUnit.SECONDS)
        .uploadEvaluationKeys(new StreamObserver<Session>() {
          @Override
          public void onNext(Session s) {}

          @Override
          public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    body.accept(req);
    req.onCompleted();
    return done.get(30, TimeUnit.SECONDS);
  }

  static KeyUploadRequest chunk(byte[] data) {
    return KeyUploadRequest.newBuilder().setChunk(KeyChunk.newBuilder().setData(ByteString.copyFrom(data))).build();
  }

  static void sendBytes(StreamObserver<KeyUploadRequest> req, byte[] bytes) {
    for (int off = 0; off < bytes.length; off += 1 << 20) {
      req.onNext(chunk(java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + (1 << 20)))));
    }
  }

  int element() {
    return manifest.getGaloisElements(0);
  }

  @Test
  void garbageKeyBytesAreInvalid() throws Exception {
    byte[] garbage = new byte[(int) keySize];
    ThreadLocalRandom.current().nextBytes(garbage);
    Status s = upload(req -> {
      req.onNext(KeyUploadRequest.newBuilder().setHeader(header(element())).build());
      sendBytes(req, garbage);
    });
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void keyCutShortIsInvalid() throws Exception {
    Status s = upload(req -> {
      req.onNext(KeyUploadRequest.newBuilder().setHeader(header(element())).build());
      req.onNext(chunk(new byte[1000]));
    });
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("cut short"), s.getDescription());
  }

  @Test
  void keysOfOtherParametersAreInvalid() throws Exception {
    Status s = upload(req -> req.onNext(KeyUploadRequest.newBuilder()
        .setHeader(header(element()).setParametersHash(ByteString.copyFrom(new byte[32]))).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void aKeyTheModelDoesNotUseIsInvalid() throws Exception {
    int unused = 3;
    assertTrue(!manifest.getGaloisElementsList().contains(unused));
    Status s = upload(req -> req.onNext(KeyUploadRequest.newBuilder().setHeader(header(unused)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void aKeyOfTheWrongSizeIsInvalid() throws Exception {
    Status s = upload(req -> req.onNext(KeyUploadRequest.newBuilder().setHeader(KeyUploadHeader.newBuilder()
        .setModel("tiny").setParametersHash(manifest.getParameters().getParametersHash())
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(element())
            .setSizeBytes(1L << 40))).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void keysBeyondTheSessionQuotaAreRefused() throws Exception {
    int[] all = manifest.getGaloisElementsList().stream().mapToInt(Integer::intValue).toArray();
    assertTrue(all.length * keySize > 20L << 20, "the model's keys exceed this server's 20 MiB quota");
    Status s = upload(req -> req.onNext(KeyUploadRequest.newBuilder().setHeader(header(all)).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
  }

  @Test
  void bytesBeforeTheHeaderAreInvalid() throws Exception {
    Status s = upload(req -> req.onNext(chunk(new byte[10])));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void unknownModelIsNotFound() throws Exception {
    Status s = upload(req -> req.onNext(KeyUploadRequest.newBuilder().setHeader(header(element()).setModel("nope"))
        .build()));
    assertEquals(Status.Code.NOT_FOUND, s.getCode(), s.toString());
  }
}
