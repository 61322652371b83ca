package io.polyhe.server.service;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses each request message inside the call, so that bytes that do not parse keep the error
 * contract: a message that is not valid protobuf for its method is {@code INVALID_ARGUMENT}, and a
 * compressed message that inflates past the inbound size limit is {@code RESOURCE_EXHAUSTED}, both
 * with a one-line description and nothing logged.
 *
 * <p>Why: grpc-java parses a request with the method's marshaller before the service sees it, and a
 * parse failure there (or the size check of a decompressing stream, which fails while it is read)
 * closes the call with UNKNOWN "Application error processing RPC" and logs a SEVERE stack trace per
 * call. Here the transport hands over the raw message stream and the method's own marshaller reads
 * it where the failure can be answered. After such a failure the call is closed once, the service
 * sees {@code onCancel} (so it drops whatever the call held, as for a client that went away), and
 * anything it still sends on the call is dropped.
 *
 * <p>Apply {@link #strict} to a service definition before its interceptors, so they see the final
 * status like any other. Stateless; the wrapped calls are thread-safe.
 */
public final class RequestParsing {
  private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private RequestParsing() {}

  /** {@code service} with every method's request parsed inside the call. */
  public static ServerServiceDefinition strict(ServerServiceDefinition service) {
    ServiceDescriptor sd = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(sd.getName())
        .setSchemaDescriptor(sd.getSchemaDescriptor());
    List<ServerMethodDefinition<InputStream, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<InputStream, ?> w = wrap(m);
      methods.add(w);
      descriptor.addMethod(w.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> wrap(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> method = m.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw = method.toBuilder(RAW, method.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = m.getServerCallHandler();
    return ServerMethodDefinition.create(raw, (call, headers) -> {
      Parsed<Q, R> parsed = new Parsed<>(call, method);
      parsed.inner = handler.startCall(parsed, headers);
      return parsed.listener();
    });
  }

  /** The status for a request message that could not be read. */
  static Status statusOf(RuntimeException e, String method) {
    if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      // grpc's own wording names the limit, e.g. "Decompressed gRPC message exceeds maximum size 4194304".
      String why = s.getStatus().getDescription();
      return Status.RESOURCE_EXHAUSTED.withDescription("request message of " + method + " too large"
          + (why == null ? "" : ": " + why) + " (the server's --max-message-bytes)");
    }
    return Status.INVALID_ARGUMENT.withDescription("malformed request message: not a valid request of " + method);
  }

  /**
   * The call as the service sees it (messages of type {@code Q}), and the listener that parses the
   * raw messages for it. Sends and closes are serialised, and dropped once the call was closed.
   */
  private static final class Parsed<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> method;
    private ServerCall.Listener<Q> inner;
    private boolean closed;
    private volatile boolean failed;

    Parsed(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    ServerCall.Listener<InputStream> listener() {
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(InputStream message) {
          if (failed) {
            return;
          }
          Q request;
          try {
            // A compressed message (a stream of unknown length) is inflated in full first, so that
            // one over the limit is found as such, whatever its bytes: a parse would fail first on
            // bytes that are not protobuf (a run of zeros), and call it malformed.
            request = method.parseRequest(message instanceof KnownLength ? message
                : new ByteArrayInputStream(message.readAllBytes()));
          } catch (IOException e) {
            failed = true;
            close(Status.INVALID_ARGUMENT.withDescription("request message of " + method.getFullMethodName()
                + " could not be read"), new Metadata());
            inner.onCancel();
            return;
          } catch (RuntimeException e) {
            failed = true;
            close(statusOf(e, method.getFullMethodName()), new Metadata());
            // The service drops whatever this call held, as for a client that went away.
            inner.onCancel();
            return;
          }
          inner.onMessage(request);
        }

        @Override
        public void onHalfClose() {
          if (!failed) {
            inner.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          if (!failed) {
            inner.onCancel();
          }
        }

        @Override
        public void onComplete() {
          if (!failed) {
            inner.onComplete();
          }
        }

        @Override
        public void onReady() {
          if (!failed) {
            inner.onReady();
          }
        }
      };
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        call.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        call.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        call.close(status, trailers);
      }
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public boolean isCancelled() {
      return failed || call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
