package io.polyhe.server.service;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.models.encrypted.PassRunner;
import io.polyhe.models.encrypted.RefreshPoints;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.server.ops.CallTracing;
import io.polyhe.server.ops.PassSpans;
import io.polyhe.models.profile.Primitive;
import io.polyhe.proto.Chunks;
import io.polyhe.proto.v1.CiphertextChunk;
import io.polyhe.proto.v1.InferRequest;
import io.polyhe.proto.v1.InferResponse;
import io.polyhe.proto.v1.InferResult;
import io.polyhe.proto.v1.InferStart;
import io.polyhe.proto.v1.InferenceServiceGrpc;
import io.polyhe.proto.v1.Progress;
import io.polyhe.proto.v1.RefreshAnswer;
import io.polyhe.proto.v1.RefreshRequest;
import io.polyhe.proto.v1.RefreshTime;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.session.SessionException;
import io.polyhe.server.session.SessionRecord;
import io.polyhe.server.session.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code polyhe.v1.InferenceService}: one encrypted forward pass per {@code Infer} stream.
 *
 * <p>Order of checks, each failing the call with its status before any work: the start message
 * (model NOT_FOUND; session NOT_FOUND, also for another caller's; keys missing FAILED_PRECONDITION;
 * token count INVALID_ARGUMENT), a place in the {@link InferenceQueue} (RESOURCE_EXHAUSTED), the
 * input's arrival within the refresh timeout (DEADLINE_EXCEEDED), its declared size, chunk sizes, and
 * the input ciphertext itself (he-core's validating reader;
 * then level, scale and part count against the manifest). Refresh answers are checked the same
 * way against their request. The pass runs on a queue worker; client cancellation, a passed
 * deadline or server shutdown stop it within one operation (within one bootstrap step while
 * bootstrapping) and give its place and memory back.
 *
 * <p>A model served with a bootstrapping {@link io.polyhe.server.model.RefreshMode} refreshes on
 * the server with a {@link Bootstrapper} on the session's keys: no refresh request is sent, and a
 * refresh answer is refused as answering no request. Its sub-steps are spans of the {@code bootstrap}
 * component; the breakdown's refresh figures count the bootstraps, with no wait or client time.
 * Thread-safe (one {@link Call} per stream).
 */
public final class InferenceServiceImpl extends InferenceServiceGrpc.InferenceServiceImplBase {
  private final ModelRegistry models;
  private final SessionStore store;
  private final InferenceQueue queue;
  private final Duration refreshTimeout;
  private final ChunkAssembler.Limits objectLimits;
  private final AtomicLong activeCalls = new AtomicLong();
  // Fails calls whose input does not arrive in time, so an idle client cannot hold a queue place.
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("polyhe-infer-timer").daemon(true).factory());

  /** Without limits on chunk counts or object sizes beyond the protocol's (tests). */
  public InferenceServiceImpl(ModelRegistry models, SessionStore store, InferenceQueue queue,
      Duration refreshTimeout) {
    this(models, store, queue, refreshTimeout, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  /**
   * @param maxChunksPerObject chunks an input or refresh answer may arrive in
   * @param maxDecodedBytes largest declared ciphertext size buffered and decoded
   */
  public InferenceServiceImpl(ModelRegistry models, SessionStore store, InferenceQueue queue,
      Duration refreshTimeout, int maxChunksPerObject, long maxDecodedBytes) {
    this.models = models;
    this.store = store;
    this.queue = queue;
    this.refreshTimeout = refreshTimeout;
    this.objectLimits = new ChunkAssembler.Limits(maxChunksPerObject, maxDecodedBytes);
  }

  /** Stops the timer thread (the server calls it when stopping). */
  public void close() {
    timers.shutdownNow();
  }

  /** Infer streams open now (admitted or not). */
  public long activeCalls() {
    return activeCalls.get();
  }

  @Override
  public StreamObserver<InferRequest> infer(StreamObserver<InferResponse> responses) {
    return new Call((ServerCallStreamObserver<InferResponse>) responses);
  }

  private enum State { START, INPUT, RUNNING, DONE }

  private final class Call implements StreamObserver<InferRequest> {
    private final ServerCallStreamObserver<InferResponse> out;
    private final Caller caller = Caller.current();
    private final Context context = Context.current();
    private State state = State.START;
    private ServedModel model;
    private String sessionId;
    private int tokens;
    private InferenceQueue.Ticket ticket;
    private boolean jobSubmitted;
    private boolean released;
    private IncomingCiphertext input;
    private IncomingCiphertext answer;
    private long answerId;
    private RemoteRefresher refresher;
    private volatile RuntimeException stop;
    private boolean closed;

    Call(ServerCallStreamObserver<InferResponse> out) {
      this.out = out;
      activeCalls.incrementAndGet();
      out.setOnCancelHandler(() -> stopWork(new CancellationException("client cancelled")));
    }

    @Override
    public void onNext(InferRequest r) {
      try {
        synchronized (this) {
          if (state == State.DONE) {
            return;
          }
          switch (r.getKindCase()) {
            case START -> start(r.getStart());
            case INPUT -> input(r.getInput());
            case REFRESH_ANSWER -> refreshAnswer(r.getRefreshAnswer());
            default -> throw ServiceException.invalid("empty Infer message");
          }
        }
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void start(InferStart s) {
      if (state != State.START) {
        throw ServiceException.invalid("InferStart comes once, first");
      }
      ServedModel m = ModelServiceImpl.find(models, s.getModel());
      SessionRecord rec = store.record(s.getSessionId(), caller);
      if (!rec.model().equals(m.name())) {
        throw ServiceException.invalid("session is for model '" + rec.model() + "', not '" + m.name() + "'");
      }
      TreeSet<Integer> missing = new TreeSet<>(m.galoisElements());
      missing.removeAll(rec.galoisElements());
      if (!missing.isEmpty() || !rec.hasRelinearizationKey()) {
        throw ServiceException.precondition("session lacks " + (rec.hasRelinearizationKey() ? ""
            : "the relinearisation key and ") + missing.size() + " of the model's " + m.galoisElements().size()
            + " Galois keys" + (missing.isEmpty() ? "" : " (first missing element " + missing.first() + ")"));
      }
      if (s.getTokens() < 1 || s.getTokens() > m.encrypted().layout().tokens()) {
        throw ServiceException.invalid("tokens must be 1.." + m.encrypted().layout().tokens() + ", got "
            + Integer.toUnsignedString(s.getTokens()));
      }
      model = m;
      sessionId = s.getSessionId();
      tokens = s.getTokens();
      ticket = queue.admit(caller);
      state = State.INPUT;
      timers.schedule(this::inputTimedOut, refreshTimeout.toMillis(), TimeUnit.MILLISECONDS);
      send(InferResponse.newBuilder().setProgress(Progress.newBuilder().setStage("queued")
          .setRefreshesPlanned(m.plannedRefreshes(tokens))).build());
    }

    private void inputTimedOut() {
      synchronized (this) {
        if (state != State.INPUT) {
          return;
        }
      }
      fail(ServiceException.deadline("the input ciphertext did not arrive within " + refreshTimeout.toSeconds()
          + " s of InferStart"));
    }

    private void input(CiphertextChunk c) {
      if (state != State.INPUT) {
        throw ServiceException.invalid(state == State.START ? "InferStart must come first"
            : "input chunk after the input was complete");
      }
      if (input == null) {
        input = new IncomingCiphertext("input ciphertext", model.context(), c.getTotalBytes(),
            model.inputLevel(), model.encrypted().streamScale(), objectLimits, model.format());
      } else if (c.getTotalBytes() != 0) {
        throw ServiceException.invalid("only the first chunk of a ciphertext carries its size");
      }
      Ciphertext ct = input.add(c.getData());
      if (ct == null) {
        return;
      }
      input = null;
      state = State.RUNNING;
      if (!model.refreshMode().bootstraps()) {
        refresher = new RemoteRefresher(this::sendRefresh, refreshTimeout, model.format());
        if (stop != null) {
          refresher.cancel(stop);
        }
      }
      InferenceQueue.Ticket t = ticket;
      jobSubmitted = true;
      t.submit(() -> {
        try {
          run(ct);
        } finally {
          releaseTicket();
        }
      });
    }

    private void refreshAnswer(RefreshAnswer a) {
      if (model != null && model.refreshMode().bootstraps()) {
        throw ServiceException.invalid("model '" + model.name() + "' bootstraps on the server: it sends no refresh"
            + " requests to answer");
      }
      if (state != State.RUNNING || refresher == null) {
        throw ServiceException.invalid("refresh answer before any refresh request");
      }
      RemoteRefresher.Pending p = refresher.pending();
      if (p == null || p.id() != a.getRefreshId()) {
        throw ServiceException.invalid("refresh answer " + a.getRefreshId() + " answers no open request");
      }
      if (answer == null || answerId != a.getRefreshId()) {
        answer = new IncomingCiphertext("refresh answer " + p.id(), model.context(),
            a.getChunk().getTotalBytes(), p.level(), p.scale(), objectLimits, model.format());
        answerId = a.getRefreshId();
      }
      Ciphertext ct = answer.add(a.getChunk().getData());
      if (ct == null) {
        return;
      }
      long bytes = answer.bytes();
      answer = null;
      refresher.answer(p.id(), ct, a.getClientSeconds(), bytes);
    }

    // On a queue worker.
    private void run(Ciphertext inputCt) {
      try {
        throwIfStopped();
        send(InferResponse.newBuilder().setProgress(Progress.newBuilder().setStage("running")
            .setRefreshesPlanned(model.plannedRefreshes(tokens))).build());
        EvaluationKeys keys = store.keys(sessionId, caller, model);
        // The breakdown's time zero on the wall clock, for its spans in the call's trace.
        java.time.Instant origin = java.time.Instant.now();
        LatencyRecorder recorder = new LatencyRecorder();
        Evaluator evaluator = new Evaluator(model.context(), keys);
        Bootstrapper bootstrapper = model.refreshMode().bootstraps() ? model.bootstrapper(evaluator) : null;
        RefreshPoints<Ciphertext> points = bootstrapper != null ? bootstrapping(bootstrapper) : refresher.points();
        Ciphertext logits;
        // The same pass stack as a local run (PassRunner); the stop check runs before every
        // operation and between bootstrap steps, so a cancelled pass stops mid-bootstrap too.
        try (PassRunner pass = new PassRunner(model.encrypted(), new CiphertextArithmetic(evaluator), recorder,
            this::throwIfStopped, bootstrapper)) {
          logits = pass.forward(inputCt, tokens, points);
        }
        throwIfStopped();
        byte[] bytes = model.format().write(logits);
        Chunks.ciphertext(bytes, chunk -> send(InferResponse.newBuilder().setLogits(chunk).build()));
        RefreshTime refresh;
        if (bootstrapper != null) {
          refresh = RefreshTime.newBuilder().setRefreshes((int) bootstrapper.stats().refreshes()).build();
        } else {
          var stats = refresher.stats();
          refresh = RefreshTime.newBuilder().setRefreshes((int) stats.refreshes())
              .setServerWaitSeconds(refresher.waitSeconds()).setClientSeconds(refresher.clientSeconds())
              .setBytesToClient(stats.bytesOut()).setBytesFromClient(stats.bytesBack()).build();
        }
        LatencyBreakdown breakdown = recorder.breakdown();
        PassSpans.record(CallTracing.of(context), origin.getEpochSecond() * 1_000_000_000L + origin.getNano(),
            breakdown);
        send(InferResponse.newBuilder().setResult(InferResult.newBuilder()
            .setBreakdown(BreakdownMessages.of(breakdown, refresh))
            .setOutputLevel(logits.level()).setRefreshes(points.refreshes())).build());
        complete();
      } catch (Throwable t) {
        if (stop == null || t instanceof ServiceException || t instanceof SessionException) {
          fail(t);
        } else {
          finish();
        }
      }
    }

    /**
     * The refresh rule bootstrapping with {@code bootstrapper}; before each bootstrap the client
     * gets the progress a refresh request would give (the segment, refreshes done and planned).
     */
    private RefreshPoints<Ciphertext> bootstrapping(Bootstrapper bootstrapper) {
      return new RefreshPoints<>() {
        @Override
        protected Ciphertext fresh(Ciphertext value, int level, double scale) {
          List<RefreshPoints.Point> p = points();
          // ensure() has recorded this refresh's point already: the ones before it are done.
          send(InferResponse.newBuilder().setProgress(Progress.newBuilder()
              .setStage(p.isEmpty() ? "" : p.get(p.size() - 1).where())
              .setRefreshesDone(refreshes() - 1).setRefreshesPlanned(model.plannedRefreshes(tokens))).build());
          return bootstrapper.refresh(value, level, scale);
        }
      };
    }

    private void throwIfStopped() {
      RuntimeException s = stop;
      if (s != null) {
        throw s;
      }
      if (context.isCancelled()) {
        stopWork(new CancellationException("call cancelled or deadline passed"));
        throw stop;
      }
    }

    private void stopWork(RuntimeException why) {
      if (stop == null) {
        stop = why;
      }
      RemoteRefresher r = refresher;
      if (r != null) {
        r.cancel(why);
      }
      synchronized (this) {
        if (state != State.RUNNING) {
          finish();
        }
      }
    }

    private void sendRefresh(long id, int level, double scale, byte[] bytes, String where) {
      Chunks.ciphertext(bytes, chunk -> send(InferResponse.newBuilder().setRefreshRequest(RefreshRequest.newBuilder()
          .setRefreshId(id).setTargetLevel(level).setTargetScale(scale).setChunk(chunk)).build()));
      send(InferResponse.newBuilder().setProgress(Progress.newBuilder().setStage(where)
          .setRefreshesDone((int) id - 1).setRefreshesPlanned(model.plannedRefreshes(tokens))).build());
    }

    private void send(InferResponse r) {
      synchronized (out) {
        if (closed || out.isCancelled()) {
          throw stop != null ? stop : new CancellationException("call closed");
        }
        out.onNext(r);
      }
    }

    private void complete() {
      synchronized (out) {
        if (!closed) {
          closed = true;
          out.onCompleted();
        }
      }
      finish();
    }

    private void fail(Throwable t) {
      stopWork(t instanceof RuntimeException r ? r : new CancellationException("failed"));
      synchronized (out) {
        if (!closed) {
          closed = true;
          if (!out.isCancelled()) {
            out.onError(ErrorMapper.toStatus(t));
          }
        }
      }
      finish();
    }

    private synchronized void finish() {
      if (state == State.DONE) {
        return;
      }
      state = State.DONE;
      input = null;
      answer = null;
      // A submitted job holds its queue place until it has run (or seen the stop and returned):
      // freeing it earlier would let a caller stack jobs past the queue bound.
      if (!jobSubmitted) {
        releaseTicket();
      }
    }

    private synchronized void releaseTicket() {
      if (released) {
        return;
      }
      released = true;
      if (ticket != null) {
        ticket.close();
      }
      activeCalls.decrementAndGet();
    }

    @Override
    public void onError(Throwable t) {
      stopWork(new CancellationException("client stream failed"));
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        if (state == State.START || state == State.INPUT) {
          fail(ServiceException.invalid(state == State.START ? "stream ended before InferStart"
              : "stream ended before the input ciphertext was complete"));
        }
      }
    }
  }

}
