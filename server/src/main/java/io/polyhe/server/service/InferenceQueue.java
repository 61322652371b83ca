package io.polyhe.server.service;

import io.polyhe.server.auth.Caller;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded inference queue: at most {@code maxConcurrent} forward passes run at once and at most
 * {@code maxQueued} more wait; a request beyond that is refused at once ({@code
 * RESOURCE_EXHAUSTED}) rather than piling up memory and latency. A place is taken by {@link
 * #admit(Caller)} before the input is received and given back by {@link Ticket#close()}. One caller
 * holds at most {@code maxPerCaller} places (running or waiting), so a single API key cannot take
 * the whole queue. Thread-safe.
 */
public final class InferenceQueue implements AutoCloseable {
  private final int maxConcurrent;
  private final int maxQueued;
  private final int maxPerCaller;
  private final ConcurrentHashMap<Caller, Integer> byCaller = new ConcurrentHashMap<>();
  private final Semaphore places;
  private final ExecutorService workers;
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();

  /** A queue without a per-caller bound. */
  public InferenceQueue(int maxConcurrent, int maxQueued) {
    this(maxConcurrent, maxQueued, Integer.MAX_VALUE);
  }

  public InferenceQueue(int maxConcurrent, int maxQueued, int maxPerCaller) {
    if (maxConcurrent < 1 || maxQueued < 0 || maxPerCaller < 1) {
      throw new IllegalArgumentException("need max concurrent >= 1, queue >= 0 and per caller >= 1, got "
          + maxConcurrent + ", " + maxQueued + " and " + maxPerCaller);
    }
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
    this.maxPerCaller = maxPerCaller;
    this.places = new Semaphore(maxConcurrent + maxQueued);
    this.workers = Executors.newFixedThreadPool(maxConcurrent, Thread.ofPlatform().name("polyhe-infer-", 0)
        .daemon(true).factory());
  }

  /** A place in the queue; closing it gives the place back (idempotent). */
  public final class Ticket implements AutoCloseable {
    private final Caller caller;
    private boolean closed;

    private Ticket(Caller caller) {
      this.caller = caller;
    }

    /** Runs {@code job} on a worker when one is free. */
    public void submit(Runnable job) {
      workers.execute(() -> {
        running.incrementAndGet();
        try {
          job.run();
        } finally {
          running.decrementAndGet();
        }
      });
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        byCaller.computeIfPresent(caller, (c, n) -> n <= 1 ? null : n - 1);
        admitted.decrementAndGet();
        places.release();
      }
    }
  }

  /**
   * A place for {@code caller}, or RESOURCE_EXHAUSTED.
   *
   * @throws ServiceException when all places are taken, or the caller holds its share of them
   */
  public Ticket admit(Caller caller) {
    boolean[] refused = new boolean[1];
    byCaller.compute(caller, (c, n) -> {
      int held = n == null ? 0 : n;
      if (held >= maxPerCaller) {
        refused[0] = true;
        return n;
      }
      return held + 1;
    });
    if (refused[0]) {
      throw ServiceException.exhausted("this caller already holds " + maxPerCaller
          + " inference places (running or waiting), the per-caller limit; wait for one to finish");
    }
    if (!places.tryAcquire()) {
      byCaller.computeIfPresent(caller, (c, n) -> n <= 1 ? null : n - 1);
      throw ServiceException.exhausted("inference queue full (" + maxConcurrent + " running, " + maxQueued
          + " waiting); retry later");
    }
    admitted.incrementAndGet();
    return new Ticket(caller);
  }

  /** Requests admitted and not yet finished (waiting or running). */
  public int admitted() {
    return admitted.get();
  }

  /** Forward passes running now. */
  public int running() {
    return running.get();
  }

  /** Requests admitted but not running yet. */
  public int waiting() {
    return Math.max(0, admitted.get() - running.get());
  }

  @Override
  public void close() throws InterruptedException {
    workers.shutdownNow();
    workers.awaitTermination(10, TimeUnit.SECONDS);
  }
}
