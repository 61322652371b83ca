package io.polyhe.server;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.polyhe.proto.Chunks;
import io.polyhe.proto.v1.KeyChunk;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import io.polyhe.proto.v1.Session;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A hand-driven key upload for hostile-input and limit tests: send anything, see the final status. */
final class RawUpload implements StreamObserver<Session> {
  final CompletableFuture<Status> status = new CompletableFuture<>();
  volatile Session session;
  final StreamObserver<KeyUploadRequest> requests;

  private RawUpload(Channel channel, String apiKey, int deadlineSeconds) {
    requests = KeyServiceGrpc.newStub(channel).withCallCredentials(RawInfer.bearer(apiKey))
        .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS).uploadEvaluationKeys(this);
  }

  /** An open upload stream; nothing sent yet. */
  static RawUpload open(Channel channel, String apiKey, int deadlineSeconds) {
    return new RawUpload(channel, apiKey, deadlineSeconds);
  }

  /** Sends what {@code body} sends, half-closes, returns the final status. */
  static Status run(Channel channel, String apiKey, Consumer<RawUpload> body) throws Exception {
    RawUpload u = open(channel, apiKey, 60);
    body.accept(u);
    u.requests.onCompleted();
    return u.awaitStatus(60);
  }

  static KeyUploadHeader.Builder header(String model, ByteString parametersHash, long keySize, int... elements) {
    KeyUploadHeader.Builder h = KeyUploadHeader.newBuilder().setModel(model).setParametersHash(parametersHash);
    for (int g : elements) {
      h.addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(g).setSizeBytes(keySize));
    }
    return h;
  }

  RawUpload header(KeyUploadHeader.Builder h) {
    requests.onNext(KeyUploadRequest.newBuilder().setHeader(h).build());
    return this;
  }

  RawUpload chunk(byte[] data) {
    requests.onNext(KeyUploadRequest.newBuilder().setChunk(KeyChunk.newBuilder().setData(ByteString.copyFrom(data)))
        .build());
    return this;
  }

  /** Sends {@code bytes} in the protocol's chunks ({@link Chunks}). */
  RawUpload bytes(byte[] bytes) {
    Chunks.split(bytes, data -> requests.onNext(KeyUploadRequest.newBuilder().setChunk(KeyChunk.newBuilder()
        .setData(data)).build()));
    return this;
  }

  /** Sends {@code bytes} in exactly {@code count} non-empty chunks of near-equal size. */
  RawUpload chunks(byte[] bytes, int count) {
    for (int i = 0; i < count; i++) {
      int from = (int) ((long) bytes.length * i / count);
      int to = (int) ((long) bytes.length * (i + 1) / count);
      chunk(Arrays.copyOfRange(bytes, from, to));
    }
    return this;
  }

  Status awaitStatus(int seconds) throws Exception {
    return status.get(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void onNext(Session s) {
    session = s;
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
