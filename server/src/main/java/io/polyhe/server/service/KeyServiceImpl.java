package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.polyhe.proto.v1.DeleteSessionRequest;
import io.polyhe.proto.v1.DeleteSessionResponse;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import io.polyhe.proto.v1.ListSessionsRequest;
import io.polyhe.proto.v1.ListSessionsResponse;
import io.polyhe.proto.v1.Session;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.session.SessionRecord;
import io.polyhe.server.session.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * {@code polyhe.v1.KeyService}: evaluation-key upload into a new session, listing the caller's
 * sessions, and deletion. Every key is validated as it completes (he-core's reader checks header,
 * parameter hash, sizes and every coefficient) and must be one the model needs; the session is
 * created only when every declared key arrived intact. An upload that sends nothing for the idle
 * timeout is dropped (DEADLINE_EXCEEDED), giving back its session place, its parsed keys and its
 * temporary files. An upload also has a total time ({@code maxUploadTime}, DEADLINE_EXCEEDED past it,
 * so one trickling bytes just inside the idle timeout ends too), and reserves the memory it will
 * hold from the server's {@link UploadBudget} when its header arrives (RESOURCE_EXHAUSTED if it does
 * not fit beside the uploads in progress). Thread-safe (one {@link Upload} per stream, its methods
 * serialised).
 */
public final class KeyServiceImpl extends KeyServiceGrpc.KeyServiceImplBase {
  private final ModelRegistry models;
  private final SessionStore store;
  private final long maxKeyBytesPerSession;
  private final ChunkAssembler.Limits objectLimits;
  private final Duration idleTimeout;
  private final UploadBudget budget;
  private final Duration maxUploadTime;
  private final ScheduledExecutorService timers = idleTimers();

  // A cancelled idle check must leave the queue at once: it references its upload, whose parsed
  // keys (hundreds of MB) would otherwise stay reachable until the check's next due time.
  private static ScheduledExecutorService idleTimers() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().name("polyhe-upload-timer").daemon(true).factory());
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** No chunk or object limits beyond the protocol's, and a 60 s idle timeout (tests). */
  public KeyServiceImpl(ModelRegistry models, SessionStore store, long maxKeyBytesPerSession) {
    this(models, store, maxKeyBytesPerSession, Integer.MAX_VALUE, Long.MAX_VALUE, Duration.ofSeconds(60));
  }

  /** Without an upload memory budget or total-time bound beyond the idle timeout. */
  public KeyServiceImpl(ModelRegistry models, SessionStore store, long maxKeyBytesPerSession, int maxChunksPerObject,
      long maxDecodedBytes, Duration idleTimeout) {
    this(models, store, maxKeyBytesPerSession, maxChunksPerObject, maxDecodedBytes, idleTimeout,
        new UploadBudget(Long.MAX_VALUE), Duration.ofDays(365));
  }

  /**
   * @param maxKeyBytesPerSession the per-session key quota, in serialised bytes
   * @param maxChunksPerObject chunks one key may arrive in
   * @param maxDecodedBytes largest key (serialised bytes) buffered and decoded
   * @param idleTimeout how long an upload may go without a message
   * @param budget the memory uploads in progress may hold together
   * @param maxUploadTime how long one upload may take, from its start to its last message
   */
  public KeyServiceImpl(ModelRegistry models, SessionStore store, long maxKeyBytesPerSession, int maxChunksPerObject,
      long maxDecodedBytes, Duration idleTimeout, UploadBudget budget, Duration maxUploadTime) {
    this.models = models;
    this.store = store;
    this.maxKeyBytesPerSession = maxKeyBytesPerSession;
    this.objectLimits = new ChunkAssembler.Limits(maxChunksPerObject, maxDecodedBytes);
    this.idleTimeout = idleTimeout;
    this.budget = budget;
    this.maxUploadTime = maxUploadTime;
  }

  /** Stops the idle timer (the server calls it when stopping). */
  public void close() {
    timers.shutdownNow();
  }

  @Override
  public void listSessions(ListSessionsRequest request, StreamObserver<ListSessionsResponse> out) {
    try {
      ListSessionsResponse.Builder b = ListSessionsResponse.newBuilder();
      for (SessionRecord r : store.list(Caller.current())) {
        b.addSessions(Session.newBuilder().setSessionId(r.id()).setModel(r.model())
            .setExpiresAtUnixMillis(r.expiresMillis()).setStoredBytes(r.bytes()));
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  @Override
  public StreamObserver<KeyUploadRequest> uploadEvaluationKeys(StreamObserver<Session> out) {
    return new Upload(Caller.current(), out);
  }

  @Override
  public void deleteSession(DeleteSessionRequest request, StreamObserver<DeleteSessionResponse> out) {
    try {
      store.delete(request.getSessionId(), Caller.current());
      out.onNext(DeleteSessionResponse.getDefaultInstance());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  private final class Upload implements StreamObserver<KeyUploadRequest> {
    private final Caller caller;
    private final StreamObserver<Session> out;
    private ServedModel model;
    private SessionStore.Upload upload;
    private List<KeyDescriptor> keys;
    private int index;
    private ChunkAssembler current;
    private boolean finished;
    private volatile long lastMessageNanos = System.nanoTime();
    private final long startNanos = System.nanoTime();
    private UploadBudget.Reservation memory;
    private final ScheduledFuture<?> idleCheck;

    Upload(Caller caller, StreamObserver<Session> out) {
      this.caller = caller;
      this.out = out;
      long period = Math.max(20, Math.min(idleTimeout.toMillis(), maxUploadTime.toMillis()) / 4);
      this.idleCheck = timers.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkIdle() {
      // Read without the lock first: the one timer thread serves every upload, and a long onNext
      // (checking a key) or commit (fsyncing the keys) of this one must not hold up the others.
      long now = System.nanoTime();
      if (now - startNanos > maxUploadTime.toNanos()) {
        synchronized (this) {
          if (!finished) {
            fail(ServiceException.deadline("the upload took longer than the server's limit of "
                + maxUploadTime.toSeconds() + " s (--upload-timeout-seconds); the partial upload was discarded"));
          }
        }
        return;
      }
      if (now - lastMessageNanos <= idleTimeout.toNanos()) {
        return;
      }
      synchronized (this) {
        if (!finished && System.nanoTime() - lastMessageNanos > idleTimeout.toNanos()) {
          fail(ServiceException.deadline("no upload message for " + idleTimeout.toMillis()
              + " ms; the partial upload was discarded"));
        }
      }
    }

    @Override
    public synchronized void onNext(KeyUploadRequest request) {
      if (finished) {
        return;
      }
      lastMessageNanos = System.nanoTime();
      try {
        switch (request.getKindCase()) {
          case HEADER -> header(request.getHeader());
          case CHUNK -> chunk(request.getChunk().getData());
          default -> throw ServiceException.invalid("empty upload message");
        }
      } catch (IOException e) {
        fail(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        fail(e);
      }
      // Validating a key takes a moment: the idle clock starts when the server is ready again.
      lastMessageNanos = System.nanoTime();
    }

    private void header(KeyUploadHeader h) throws IOException {
      if (model != null) {
        throw ServiceException.invalid("the upload header comes once, first");
      }
      ServedModel m = ModelServiceImpl.find(models, h.getModel());
      List<KeyDescriptor> ks = KeyUploadChecks.header(h, m.name(), m.parameters(), m.galoisElements(),
          maxKeyBytesPerSession, objectLimits, m.format());
      memory = budget.reserve(UploadBudget.bytesFor(m.parameters().rlwe(), ks.size(), m.format().maxKeyBytes(m.parameters())));
      model = m;
      keys = ks;
      upload = store.begin(caller, m, ks.stream().mapToLong(KeyDescriptor::getSizeBytes).sum());
    }

    private void chunk(ByteString data) throws IOException {
      if (model == null) {
        throw ServiceException.invalid("the upload must start with its header");
      }
      if (index >= keys.size()) {
        throw ServiceException.invalid("more bytes than the declared keys");
      }
      KeyDescriptor k = keys.get(index);
      if (current == null) {
        current = new ChunkAssembler("key " + index, k.getSizeBytes(), objectLimits, k.getSizeBytes());
        // (the declared size was checked against the format's bounds with the header)
      }
      if (!current.add(data)) {
        return;
      }
      byte[] bytes = current.bytes();
      current = null;
      if (k.getKind() == KeyKind.KEY_KIND_RELINEARIZATION) {
        upload.addRelinearizationKey(model.format().readRelinearizationKey(bytes, model.context()), bytes);
      } else {
        upload.addGaloisKey(KeyUploadChecks.galoisKey(k, index, bytes, model.context(), model.format()), bytes);
      }
      index++;
    }

    @Override
    public synchronized void onError(Throwable t) {
      // The client went away: drop the partial upload.
      finished = true;
      closeUpload();
    }

    @Override
    public synchronized void onCompleted() {
      if (finished) {
        return;
      }
      try {
        if (model == null) {
          throw ServiceException.invalid("empty upload");
        }
        if (index < keys.size()) {
          throw ServiceException.invalid("upload ended after " + index + " of " + keys.size() + " keys"
              + (current != null ? " (a key was cut short)" : ""));
        }
        SessionRecord r = upload.commit();
        finished = true;
        idleCheck.cancel(false);
        // The parsed keys now belong to the session cache (bounded by --cached-sessions).
        memory.close();
        out.onNext(Session.newBuilder().setSessionId(r.id()).setExpiresAtUnixMillis(r.expiresMillis())
            .setStoredBytes(r.bytes()).build());
        out.onCompleted();
      } catch (IOException e) {
        fail(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void fail(RuntimeException e) {
      finished = true;
      closeUpload();
      out.onError(ErrorMapper.toStatus(e));
    }

    private void closeUpload() {
      idleCheck.cancel(false);
      if (memory != null) {
        memory.close();
      }
      if (upload != null) {
        upload.close();
        upload = null;
      }
      current = null;
    }
  }
}
