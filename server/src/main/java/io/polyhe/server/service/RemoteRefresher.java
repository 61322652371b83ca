package io.polyhe.server.service;

import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.io.HeFormat;
import io.polyhe.server.model.WireFormat;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.encrypted.RefreshPoints;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Client-aided refresh over the Infer stream: the ciphertext goes to the client as a {@code
 * RefreshRequest} and the forward pass blocks until the client's answer arrives ({@link #answer}),
 * the call is cancelled ({@link #cancel}), or {@code timeout} passes ({@code DEADLINE_EXCEEDED}).
 * One request is outstanding at a time. The server never sees a value: it sends a ciphertext and
 * receives a fresh one. Thread-safe: the pass calls {@link #refresh}; the stream's thread calls
 * {@link #answer} and {@link #cancel}.
 */
final class RemoteRefresher implements Refresher {
  /** Sends one refresh request to the client. */
  @FunctionalInterface
  interface Sender {
    void send(long id, int level, double scale, byte[] ciphertext, String where);
  }

  /** What the pass waits for. */
  record Pending(long id, int level, double scale, CompletableFuture<Ciphertext> answer) {}

  private final Sender sender;
  private final Duration timeout;
  private volatile Pending pending;
  private volatile Throwable cancelled;
  private long refreshes;
  private long bytesOut;
  private long bytesBack;
  /** Serialised size of the answer just delivered, until the waiting pass accounts it. */
  private long answeredBytes;
  private long waitNanos;
  private double clientSeconds;
  /** The client's figure for the answer just delivered, until the waiting pass accounts it. */
  private double reportedSeconds;
  private final WireFormat format;

  RemoteRefresher(Sender sender, Duration timeout) {
    this(sender, timeout, WireFormat.POLYHE);
  }

  /** Refresh requests serialised in {@code format}. */
  RemoteRefresher(Sender sender, Duration timeout, WireFormat format) {
    this.sender = sender;
    this.timeout = timeout;
    this.format = format;
  }

  @Override
  public Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale) {
    return refresh(ct, targetLevel, targetScale, "");
  }

  /** As {@link #refresh(Ciphertext, int, double)}, naming the segment it is for in progress reports. */
  Ciphertext refresh(Ciphertext ct, int targetLevel, double targetScale, String where) {
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refresh needs a 2-part ciphertext; relinearise first");
    }
    byte[] bytes = format.write(ct);
    long id;
    Pending p;
    synchronized (this) {
      id = refreshes + 1;
      p = new Pending(id, targetLevel, targetScale, new CompletableFuture<>());
      pending = p;
    }
    if (cancelled != null) {
      p.answer().completeExceptionally(cancelled);
    }
    long start = System.nanoTime();
    sender.send(id, targetLevel, targetScale, bytes, where);
    Ciphertext fresh;
    try {
      fresh = p.answer().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw ServiceException.deadline("no answer to refresh request " + id + " within " + timeout.toSeconds()
          + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new CancellationException("refresh failed");
    } finally {
      pending = null;
    }
    synchronized (this) {
      long waited = System.nanoTime() - start;
      refreshes++;
      bytesOut += bytes.length;
      bytesBack += answeredBytes > 0 ? answeredBytes : HeFormat.serializedSize(fresh);
      answeredBytes = 0;
      waitNanos += waited;
      // The client's own figure, bounded by this server's measured wait for the same answer: the
      // client cannot have spent longer on it than the server waited (1e308 three times made the
      // total infinite).
      clientSeconds += Math.min(reportedSeconds, waited / 1e9);
      reportedSeconds = 0;
    }
    return fresh;
  }

  /**
   * The forward pass's refresh rule with this refresher; each request names the segment it is for
   * (the point the rule has just recorded), for progress reports.
   */
  RefreshPoints<Ciphertext> points() {
    return new RefreshPoints<>() {
      @Override
      protected Ciphertext fresh(Ciphertext value, int level, double scale) {
        List<RefreshPoints.Point> p = points();
        return refresh(value, level, scale, p.isEmpty() ? "" : p.get(p.size() - 1).where());
      }
    };
  }

  /** The request the pass waits on, if any. */
  Pending pending() {
    return pending;
  }

  /** Delivers the client's answer to request {@code id}, already validated for level and scale. */
  void answer(long id, Ciphertext fresh, double reportedClientSeconds) {
    answer(id, fresh, reportedClientSeconds, 0);
  }

  /** As above, with the answer's serialised size as it came ({@code 0}: polyhe's size of {@code fresh}). */
  void answer(long id, Ciphertext fresh, double reportedClientSeconds, long bytes) {
    Pending p = pending;
    if (p == null || p.id() != id) {
      throw ServiceException.invalid("refresh answer " + id + " answers no open request");
    }
    synchronized (this) {
      // Reported by the client: a NaN or infinite figure must not poison the breakdown; refresh()
      // bounds the rest by the wait it measured.
      reportedSeconds = Double.isFinite(reportedClientSeconds) ? Math.max(0, reportedClientSeconds) : 0;
      answeredBytes = bytes;
    }
    p.answer().complete(fresh);
  }

  /** Wakes a waiting pass with {@code why} (and every later refresh fails at once). */
  void cancel(RuntimeException why) {
    cancelled = why;
    Pending p = pending;
    if (p != null) {
      p.answer().completeExceptionally(why);
    }
  }

  @Override
  public synchronized RefreshStats stats() {
    return new RefreshStats(refreshes, bytesOut, bytesBack);
  }

  /** Seconds the pass spent waiting for answers. */
  synchronized double waitSeconds() {
    return waitNanos / 1e9;
  }

  /**
   * Seconds the client reported spending on its answers, each answer's figure bounded by the time
   * the server waited for it (so never more than {@link #waitSeconds()}).
   */
  synchronized double clientSeconds() {
    return clientSeconds;
  }
}
