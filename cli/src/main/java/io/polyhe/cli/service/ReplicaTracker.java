package io.polyhe.cli.service;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which replica (by loopback port) served each call of {@code soak --replicas}, seen from the
 * client: a stream tracer reads the remote address of the connection each call's stream was
 * created on. Tells the soak which replica a session was uploaded to and which ran its passes (a
 * session moved when a replica other than its uploader served it, loading its keys from the shared
 * store), and how many passes run on each replica now (so a kill lands mid-pass). The session of a
 * call is the one the calling thread declared with {@link #session}. Thread-safe.
 */
final class ReplicaTracker implements ClientInterceptor {
  private static final ThreadLocal<String> SESSION = new ThreadLocal<>();
  private final Map<Thread, Integer> lastUpload = new ConcurrentHashMap<>();
  private final Map<String, Integer> uploadedTo = new ConcurrentHashMap<>();
  private final Map<String, Set<Integer>> servedBy = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> passesRunning = new ConcurrentHashMap<>();

  /** Declares the session of this thread's next calls (null: none, as for an upload). */
  static void session(String id) {
    SESSION.set(id);
  }

  /** Records that this thread's last upload created {@code id}. */
  void uploaded(String id) {
    Integer port = lastUpload.get(Thread.currentThread());
    if (port != null) {
      uploadedTo.put(id, port);
    }
  }

  /** Sessions whose passes ran on a replica other than the one that took their upload. */
  long sessionsMoved() {
    return servedBy.entrySet().stream().filter(e -> {
      Integer up = uploadedTo.get(e.getKey());
      return up == null || e.getValue().stream().anyMatch(p -> !p.equals(up));
    }).count();
  }

  /** Passes running now on the replica at {@code port}. */
  int passesRunning(int port) {
    AtomicInteger n = passesRunning.get(port);
    return n == null ? 0 : n.get();
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    String session = SESSION.get();
    Thread caller = Thread.currentThread(); // a stream may be created on another thread
    String name = method.getBareMethodName();
    boolean infer = "Infer".equals(name);
    boolean upload = "UploadEvaluationKeys".equals(name);
    ClientStreamTracer.Factory factory = new ClientStreamTracer.Factory() {
      @Override
      public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
        return new ClientStreamTracer() {
          private int port = -1;

          @Override
          public void streamCreated(Attributes transportAttrs, Metadata headers) {
            SocketAddress remote = transportAttrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            if (remote instanceof InetSocketAddress a) {
              port = a.getPort();
              if (upload) {
                lastUpload.put(caller, port);
              }
              if (infer) {
                passesRunning.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
                if (session != null) {
                  servedBy.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet()).add(port);
                }
              }
            }
          }

          @Override
          public void streamClosed(Status status) {
            if (infer && port >= 0) {
              passesRunning.get(port).decrementAndGet();
            }
          }
        };
      }
    };
    return next.newCall(method, options.withStreamTracerFactory(factory));
  }
}
