package io.polyhe.server;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.polyhe.proto.Chunks;
import io.polyhe.proto.v1.CiphertextChunk;
import io.polyhe.proto.v1.InferRequest;
import io.polyhe.proto.v1.InferResponse;
import io.polyhe.proto.v1.InferStart;
import io.polyhe.proto.v1.InferenceServiceGrpc;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-driven Infer stream for hostile-input tests: send anything, see what comes back. */
final class RawInfer implements ClientResponseObserver<InferRequest, InferResponse> {
  final BlockingQueue<InferResponse> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> status = new CompletableFuture<>();
  private ClientCallStreamObserver<InferRequest> requests;

  static CallCredentials bearer(String key) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        applier.apply(m);
      }
    };
  }

  static RawInfer open(Channel channel, String apiKey, Duration deadline) {
    RawInfer r = new RawInfer();
    InferenceServiceGrpc.newStub(channel).withCallCredentials(bearer(apiKey))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).infer(r);
    return r;
  }

  RawInfer start(String session, String model, int tokens) {
    requests.onNext(InferRequest.newBuilder().setStart(InferStart.newBuilder().setSessionId(session).setModel(model)
        .setTokens(tokens)).build());
    return this;
  }

  RawInfer chunk(long total, byte[] data) {
    requests.onNext(InferRequest.newBuilder().setInput(CiphertextChunk.newBuilder().setTotalBytes(total)
        .setData(ByteString.copyFrom(data))).build());
    return this;
  }

  /** Sends {@code ct} in the protocol's chunks ({@link Chunks}). */
  RawInfer input(byte[] ct) {
    Chunks.ciphertext(ct, c -> requests.onNext(InferRequest.newBuilder().setInput(c).build()));
    return this;
  }

  void halfClose() {
    requests.onCompleted();
  }

  void cancel() {
    requests.cancel("test disconnects", null);
  }

  /** The final status within {@code seconds}. */
  Status awaitStatus(int seconds) throws Exception {
    return status.get(seconds, TimeUnit.SECONDS);
  }

  /** The next message of kind {@code kind} within {@code seconds} (null if none). */
  InferResponse awaitKind(InferResponse.KindCase kind, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      InferResponse r = received.poll(100, TimeUnit.MILLISECONDS);
      if (r != null && r.getKindCase() == kind) {
        return r;
      }
      if (status.isDone() && received.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<InferRequest> requests) {
    this.requests = requests;
  }

  @Override
  public void onNext(InferResponse value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    status.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    status.complete(Status.OK);
  }
}
