package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.GetModelManifestRequest;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
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
    // The checks are the services'; a TLS port would add only handshakes.
    server = TestServer.inProcess(dir, b -> b.maxKeyBytesPerSession(20L << 20));
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
    return RawUpload.header("tiny", manifest.getParameters().getParametersHash(), keySize, elements);
  }

  static Status upload(Consumer<RawUpload> body) throws Exception {
    return RawUpload.run(channel, TestServer.ALICE_KEY, body);
  }

  int element() {
    return manifest.getGaloisElements(0);
  }

  @Test
  void garbageKeyBytesAreInvalid() throws Exception {
    byte[] garbage = new byte[(int) keySize];
    ThreadLocalRandom.current().nextBytes(garbage);
    Status s = upload(req -> {
      req.header(header(element())).bytes(garbage);
    });
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void keyCutShortIsInvalid() throws Exception {
    Status s = upload(req -> {
      req.header(header(element())).chunk(new byte[1000]);
    });
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("cut short"), s.getDescription());
  }

  @Test
  void keysOfOtherParametersAreInvalid() throws Exception {
    Status s = upload(req -> req.header(header(element())
        .setParametersHash(ByteString.copyFrom(new byte[32]))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void aKeyTheModelDoesNotUseIsInvalid() throws Exception {
    int unused = 3;
    assertTrue(!manifest.getGaloisElementsList().contains(unused));
    Status s = upload(req -> req.header(header(unused)));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void aKeyOfTheWrongSizeIsInvalid() throws Exception {
    Status s = upload(req -> req.header(KeyUploadHeader.newBuilder()
        .setModel("tiny").setParametersHash(manifest.getParameters().getParametersHash())
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(element())
            .setSizeBytes(1L << 29))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void keysBeyondTheSessionQuotaAreRefused() throws Exception {
    int[] all = manifest.getGaloisElementsList().stream().mapToInt(Integer::intValue).toArray();
    assertTrue(all.length * keySize > 20L << 20, "the model's keys exceed this server's 20 MiB quota");
    Status s = upload(req -> req.header(header(all)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
  }

  @Test
  void bytesBeforeTheHeaderAreInvalid() throws Exception {
    Status s = upload(req -> req.chunk(new byte[10]));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void unknownModelIsNotFound() throws Exception {
    Status s = upload(req -> req.header(header(element()).setModel("nope")));
    assertEquals(Status.Code.NOT_FOUND, s.getCode(), s.toString());
  }
}
