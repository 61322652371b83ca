package io.polyhe.server;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.polyhe.proto.v1.InferenceServiceGrpc;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.ModelServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call of any method with raw bytes as its request message (a byte-array marshaller in place of
 * the method's own), for malformed-message tests: send, half-close, see the final status.
 */
final class RawCall {
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawCall() {}

  /** Every method the server serves: model, key, inference and health services. */
  static List<MethodDescriptor<?, ?>> allMethods() {
    List<MethodDescriptor<?, ?>> out = new ArrayList<>();
    for (ServiceDescriptor s : List.of(ModelServiceGrpc.getServiceDescriptor(), KeyServiceGrpc.getServiceDescriptor(),
        InferenceServiceGrpc.getServiceDescriptor(), HealthGrpc.getServiceDescriptor())) {
      out.addAll(s.getMethods());
    }
    return out;
  }

  /**
   * Calls {@code method} with {@code message} as its one request message ({@code apiKey} null: no
   * key; {@code gzip}: the message compressed), and returns the final status.
   */
  static Status call(Channel channel, MethodDescriptor<?, ?> method, byte[] message, String apiKey, boolean gzip)
      throws Exception {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
    if (apiKey != null) {
      options = options.withCallCredentials(RawInfer.bearer(apiKey));
    }
    if (gzip) {
      options = options.withCompression("gzip");
    }
    ClientCall<byte[], byte[]> call = channel.newCall(method.toBuilder(BYTES, BYTES).build(), options);
    CompletableFuture<Status> status = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status s, Metadata trailers) {
        status.complete(s);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage(message);
    call.halfClose();
    return status.get(30, TimeUnit.SECONDS);
  }
}
