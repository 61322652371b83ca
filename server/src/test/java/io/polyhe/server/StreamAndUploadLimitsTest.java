package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.service.UploadBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-caller open Infer streams, the memory budget of uploads in progress and the total time of one
 * upload (issue 23, item 5), over the wire, each at the limit and one past it. On main, idle Infer
 * streams were unbounded (2,000 stayed open), stalled uploads were bounded only by the session
 * count, and an upload trickling bytes inside the idle timeout never ended.
 */
class StreamAndUploadLimitsTest {
  static final int STREAMS = 2;
  static final int KEYS = 2;
  static final Duration UPLOAD_TIME = Duration.ofSeconds(3);

  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static ServedModel model;
  static long perUpload;

  @BeforeAll
  static void start() throws Exception {
    // The budget fits exactly two uploads of KEYS keys of tiny; found from the model before the
    // real server starts (the figure depends only on the parameters).
    server = TestServer.start(dir.resolve("probe"), b -> {});
    model = server.server.models().find("tiny").orElseThrow();
    perUpload = UploadBudget.bytesFor(model.parameters().rlwe(), KEYS);
    server.close();
    server = TestServer.start(dir, b -> b.maxInferStreamsPerCaller(STREAMS).maxUploadMemoryBytes(2 * perUpload)
        .maxUploadTime(UPLOAD_TIME).uploadIdleTimeout(Duration.ofSeconds(2)).maxSessionsPerCaller(8).maxSessions(16));
    model = server.server.models().find("tiny").orElseThrow();
    channel = server.channel();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "within 15 s: " + what);
      Thread.sleep(20);
    }
  }

  static RawInfer infer(String key) {
    return RawInfer.open(channel, key, Duration.ofSeconds(60));
  }

  // ------------------------------------------------------------------ Infer streams per caller

  @Test
  void aCallerHoldsExactlyItsOpenInferStreamsAndOneMoreIsRefusedWhileOthersAreNot() throws Exception {
    RawInfer a1 = infer(TestServer.ALICE_KEY);
    RawInfer a2 = infer(TestServer.ALICE_KEY);
    await(() -> server.server.activeInferCalls() == 2, "alice's two streams are open");
    RawInfer a3 = infer(TestServer.ALICE_KEY);
    Status past = a3.awaitStatus(15);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("--max-infer-streams-per-caller"), past.getDescription());
    RawInfer b1 = infer(TestServer.BOB_KEY);
    await(() -> server.server.activeInferCalls() == 3, "bob is not affected");
    assertFalse(a1.status.isDone() || a2.status.isDone() || b1.status.isDone());
    // A stream that ends gives its place back.
    a1.cancel();
    await(() -> server.server.activeInferCalls() == 2, "alice's cancelled stream has ended");
    RawInfer a4 = infer(TestServer.ALICE_KEY);
    await(() -> server.server.activeInferCalls() == 3, "alice may open one again");
    for (RawInfer r : new RawInfer[] {a2, a4, b1}) {
      r.cancel();
    }
    await(() -> server.server.activeInferCalls() == 0, "every stream ended");
  }

  // ------------------------------------------------------------------ upload memory and time

  static KeyUploadHeader.Builder header() {
    int[] g = model.galoisElements().stream().mapToInt(Integer::intValue).limit(KEYS).toArray();
    return RawUpload.header("tiny", ByteString.copyFrom(model.parameters().rlwe().hash()),
        io.polyhe.he.io.HeFormat.switchingKeySize(model.parameters().rlwe()), g);
  }

  static long reserved() {
    return server.server.metrics().gaugeValue("polyhe_upload_memory_reserved_bytes");
  }

  @Test
  void uploadsFillingExactlyTheMemoryBudgetAreAdmittedAndOneMoreIsRefused() throws Exception {
    RawUpload u1 = RawUpload.open(channel, TestServer.ALICE_KEY, 60).header(header());
    await(() -> reserved() == perUpload, "the first upload reserved its memory");
    RawUpload u2 = RawUpload.open(channel, TestServer.BOB_KEY, 60).header(header());
    await(() -> reserved() == 2 * perUpload, "the second fits exactly");
    Status past = RawUpload.open(channel, TestServer.ALICE_KEY, 60).header(header()).awaitStatus(15);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, past.getCode(), past.toString());
    assertTrue(past.getDescription().contains("--max-upload-memory-bytes"), past.getDescription());
    assertFalse(u1.status.isDone() || u2.status.isDone(), "the two in progress go on");
    u1.requests.onError(new RuntimeException("client gives up"));
    await(() -> reserved() == perUpload, "an upload that ends gives its memory back");
    RawUpload u3 = RawUpload.open(channel, TestServer.ALICE_KEY, 60).header(header());
    await(() -> reserved() == 2 * perUpload, "and another fits again");
    u2.requests.onError(new RuntimeException("done"));
    u3.requests.onError(new RuntimeException("done"));
    await(() -> reserved() == 0, "nothing reserved at the end");
  }

  @Test
  void anUploadTricklingInsideTheIdleTimeoutEndsAtTheTotalTimeLimit() throws Exception {
    RawUpload u = RawUpload.open(channel, TestServer.ALICE_KEY, 60).header(header());
    long start = System.nanoTime();
    byte[] key = new byte[(int) io.polyhe.he.io.HeFormat.switchingKeySize(model.parameters().rlwe())];
    int sent = 0;
    // One byte every 200 ms: well inside the 2 s idle timeout, far too slow to finish.
    while (!u.status.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
      u.chunk(Arrays.copyOfRange(key, sent, sent + 1));
      sent++;
      Thread.sleep(200);
      if (System.nanoTime() - start < UPLOAD_TIME.toNanos() * 9 / 10) {
        // At the limit: not dropped while within its time.
        assertFalse(u.status.isDone(), "dropped before its total time: " + (u.status.isDone() ? u.status.get() : ""));
      }
    }
    Status s = u.awaitStatus(15);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("--upload-timeout-seconds"), s.getDescription());
    await(() -> reserved() == 0, "its memory is given back");
    try (var files = Files.list(server.keyStore)) {
      assertEquals(0, files.count(), "and its temporary files removed");
    }
  }
}
