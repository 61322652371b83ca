package io.polyhe.client;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.polyhe.proto.Chunks;
import io.polyhe.proto.v1.DeleteSessionRequest;
import io.polyhe.proto.v1.GetModelManifestRequest;
import io.polyhe.proto.v1.InferenceServiceGrpc;
import io.polyhe.proto.v1.KeyChunk;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import io.polyhe.proto.v1.ListModelsRequest;
import io.polyhe.proto.v1.ListSessionsRequest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import io.polyhe.proto.v1.Session;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The polyhe client: talks to a polyhe server over any gRPC {@link Channel}; every call has a
 * deadline. The secret key stays in the {@link Keyring}; the server sees ciphertexts and public
 * evaluation keys only.
 *
 * <p>A complete program (server from {@code ./polyhe serve --tls-cert cert.pem --tls-key key.pem
 * --api-keys keys.txt}):
 *
 * <pre>{@code
 * ManagedChannel channel = Grpc.newChannelBuilder("localhost:50051",
 *     TlsChannelCredentials.newBuilder().trustManager(new File("cert.pem")).build()).build();
 * PolyheClient client = PolyheClient.builder(channel).apiKey(System.getenv("POLYHE_API_KEY")).build();
 * ClientModel model = client.model("tiny");              // manifest: parameters, layout, tokenizer
 * Keyring keyring = Keyring.generate(model);              // the secret key never leaves this process
 * try (ClientSession session = client.openSession(keyring)) {    // makes and uploads the keys
 *   Generation g = session.generate("^S31=", 4);          // encrypt, infer, refresh, decrypt
 *   System.out.println(g.text());                         // the decrypted answer
 * }
 * channel.shutdown();
 * }</pre>
 *
 * Inference goes through a {@link ClientSession} only: {@link #openSession} (or {@link
 * ClientSession#resume} for a session uploaded earlier), then {@link ClientSession#infer} or {@link
 * ClientSession#generate}. Results are SDK types ({@link ModelInfo}, {@link SessionInfo}, {@link
 * InferenceResult} with its {@link LatencyBreakdown}), not protocol messages. Calls throw gRPC's
 * {@link StatusRuntimeException} with the server's status (or DEADLINE_EXCEEDED, CANCELLED on
 * interrupt, DATA_LOSS for a malformed answer).
 *
 * <p>Thread-safe; one client may serve many concurrent sessions and calls.
 */
public final class PolyheClient {
  private final Channel channel;
  private final CallCredentials credentials;
  private final Duration callTimeout;
  private final Duration uploadTimeout;
  private final Duration inferTimeout;
  private final boolean acceptInsecureParameters;
  private final ClientTracing tracing;

  private PolyheClient(Builder b) {
    this.channel = io.grpc.ClientInterceptors.intercept(b.channel, ClientTracing.interceptor());
    this.tracing = new ClientTracing(b.openTelemetry);
    this.credentials = b.apiKey == null ? null : new BearerToken(b.apiKey);
    this.callTimeout = b.callTimeout;
    this.uploadTimeout = b.uploadTimeout;
    this.inferTimeout = b.inferTimeout;
    this.acceptInsecureParameters = b.acceptInsecureParameters;
  }

  public static Builder builder(Channel channel) {
    return new Builder(Objects.requireNonNull(channel, "channel"));
  }

  /** Options of a client. Not thread-safe. */
  public static final class Builder {
    private final Channel channel;
    private String apiKey;
    private Duration callTimeout = Duration.ofSeconds(30);
    private Duration uploadTimeout = Duration.ofMinutes(10);
    private Duration inferTimeout = Duration.ofMinutes(10);
    private boolean acceptInsecureParameters;
    private io.opentelemetry.api.OpenTelemetry openTelemetry = io.opentelemetry.api.OpenTelemetry.noop();

    private Builder(Channel channel) {
      this.channel = channel;
    }

    /** The bearer API key (sent over TLS channels only). */
    public Builder apiKey(String key) {
      this.apiKey = key;
      return this;
    }

    /**
     * Where the client's spans go: each forward pass is a client span, which the server's trace
     * continues. Without one (the default, a no-op) the client records no spans, but every call
     * still carries the current trace context (W3C {@code traceparent}) of an application that
     * traces.
     */
    public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry ot) {
      this.openTelemetry = Objects.requireNonNull(ot, "openTelemetry");
      return this;
    }

    /** Deadline of the small calls (listing, manifest, delete). */
    public Builder callTimeout(Duration d) {
      this.callTimeout = positive(d);
      return this;
    }

    /** Deadline of a key upload. */
    public Builder uploadTimeout(Duration d) {
      this.uploadTimeout = positive(d);
      return this;
    }

    /** Deadline of one forward pass (Infer call). */
    public Builder inferTimeout(Duration d) {
      this.inferTimeout = positive(d);
      return this;
    }

    /**
     * Accept manifests whose CKKS parameters are below 128-bit security (a server run with {@code
     * --insecure-test-bootstrap}). Data encrypted under them is NOT protected: for tests only.
     */
    public Builder acceptInsecureParametersForTestsOnly() {
      this.acceptInsecureParameters = true;
      return this;
    }

    public PolyheClient build() {
      return new PolyheClient(this);
    }

    private static Duration positive(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("deadlines must be positive");
      }
      return d;
    }
  }

  private ModelServiceGrpc.ModelServiceBlockingStub models() {
    return ModelServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The served models. */
  public List<ModelInfo> listModels() {
    return models().listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
        .map(ModelInfo::of).toList();
  }

  /**
   * Model {@code name} from its manifest (validated).
   *
   * @throws StatusRuntimeException NOT_FOUND for an unknown model
   * @throws IllegalArgumentException for an inconsistent manifest, or parameters below 128-bit
   *     security without {@link Builder#acceptInsecureParametersForTestsOnly()}
   */
  public ClientModel model(String name) {
    return new ClientModel(models().getModelManifest(GetModelManifestRequest.newBuilder().setModel(name).build()),
        acceptInsecureParameters);
  }

  /** As {@link #openSession(Keyring, ProgressListener)} without progress. */
  public ClientSession openSession(Keyring keyring) {
    return openSession(keyring, ProgressListener.NONE);
  }

  /**
   * Generates the evaluation keys of {@code keyring}'s model one at a time and uploads them as they
   * are made (the relinearisation key, then one Galois key per element of the manifest), honouring
   * the transport's flow control, and opens a session; {@code progress} hears of each key
   * ({@link ProgressListener.Stage#KEY_UPLOAD}).
   */
  public ClientSession openSession(Keyring keyring, ProgressListener progress) {
    SessionInfo s = uploadKeys(keyring, keyring.model().galoisElements(), progress);
    return new ClientSession(this, keyring, s.id(), s.storedBytes(), s.expiresAt());
  }

  /**
   * Uploads the relinearisation key and the Galois keys of {@code elements}: all of the manifest's
   * ({@link #openSession}), or fewer only to test the server (a session that cannot infer).
   */
  SessionInfo uploadKeys(Keyring keyring, int[] elements, ProgressListener progress) {
    ClientModel model = keyring.model();
    KeySizes sizes = KeySizes.of(keyring, elements);
    KeyUploadHeader.Builder header = KeyUploadHeader.newBuilder().setModel(model.name())
        .setParametersHash(ByteString.copyFrom(model.parameters().rlwe().hash()))
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_RELINEARIZATION).setSizeBytes(sizes.relin()));
    for (int g : elements) {
      header.addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(g)
          .setSizeBytes(sizes.galois(g)));
    }
    CompletableFuture<Session> result = new CompletableFuture<>();
    Object ready = new Object();
    var observer = new ClientResponseObserver<KeyUploadRequest, Session>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<KeyUploadRequest> requests) {
        requests.setOnReadyHandler(() -> {
          synchronized (ready) {
            ready.notifyAll();
          }
        });
      }

      @Override
      public void onNext(Session s) {
        result.complete(s);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
        synchronized (ready) {
          ready.notifyAll();
        }
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(Status.INTERNAL.withDescription("upload ended without a session")
            .asRuntimeException());
      }
    };
    var requests = (ClientCallStreamObserver<KeyUploadRequest>) KeyServiceGrpc.newStub(channel)
        .withCallCredentials(credentials).withDeadlineAfter(uploadTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .uploadEvaluationKeys(observer);
    try {
      requests.onNext(KeyUploadRequest.newBuilder().setHeader(header).build());
      int total = elements.length + 1;
      progress.onProgress(ProgressListener.Stage.KEY_UPLOAD, 0, total);
      for (int i = 0; i < total; i++) {
        byte[] key = i == 0 ? sizes.relinBytes(keyring) : sizes.galoisBytes(keyring, elements[i - 1]);
        Chunks.split(key, data -> {
          awaitReady(requests, ready, result);
          requests.onNext(KeyUploadRequest.newBuilder().setChunk(KeyChunk.newBuilder().setData(data)).build());
        });
        progress.onProgress(ProgressListener.Stage.KEY_UPLOAD, i + 1, total);
      }
      requests.onCompleted();
    } catch (RuntimeException e) {
      requests.cancel("client failed", e);
      throw e;
    }
    return SessionInfo.of(await(result), model.name());
  }

  private static void awaitReady(ClientCallStreamObserver<?> requests, Object ready, CompletableFuture<?> result) {
    synchronized (ready) {
      while (!requests.isReady() && !result.isDone()) {
        try {
          ready.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
      }
    }
    if (result.isDone()) {
      await(result); // throws the server's status
      throw Status.INTERNAL.withDescription("server answered before the upload ended").asRuntimeException();
    }
  }

  /** Deletes a session of this caller ({@link ClientSession#close()} does it for an open one). */
  public void deleteSession(String sessionId) {
    KeyServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .deleteSession(DeleteSessionRequest.newBuilder().setSessionId(sessionId).build());
  }

  /** This caller's live sessions on the server (ids, models, expiry, stored bytes), oldest first. */
  public List<SessionInfo> listSessions() {
    return KeyServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
        .map(s -> SessionInfo.of(s, "")).toList();
  }

  /** The client's tracing ({@link ClientSession#infer} runs each pass in its span). */
  ClientTracing tracing() {
    return tracing;
  }

  /** A stub for one Infer call, its deadline starting now ({@link ClientSession#infer}). */
  InferenceServiceGrpc.InferenceServiceStub inferStub() {
    return InferenceServiceGrpc.newStub(channel).withCallCredentials(credentials)
        .withDeadlineAfter(inferTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        // A fresh exception carrying the server's status, with this thread's stack.
        throw new StatusRuntimeException(s.getStatus(), s.getTrailers());
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw Status.UNKNOWN.withDescription(String.valueOf(e.getCause())).asRuntimeException();
    }
  }
}
