package io.polyhe.server.service;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded inference queue: at most {@code maxConcurrent} forward passes run at once and at most
 * {@code maxQueued} more wait; a request beyond that is refused at once ({@code
 * RESOURCE_EXHAUSTED}) rather than piling up memory and latency. A place is taken by {@link
 * #admit()} before the input is received and given back by {@link Ticket#close()}. Thread-safe.
 */
public final class InferenceQueue implements AutoCloseable {
  private final int maxConcurrent;
  private final int maxQueued;
  private final Semaphore places;
  private final ExecutorService workers;
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();

  public InferenceQueue(int maxConcurrent, int maxQueued) {
    if (maxConcurrent < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("need max concurrent >= 1 and queue >= 0, got " + maxConcurrent
          + " and " + maxQueued);
    }
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
    this.places = new Semaphore(maxConcurrent + maxQueued);
    this.workers = Executors.newFixedThreadPool(maxConcurrent, Thread.ofPlatform().name("polyhe-infer-", 0)
        .daemon(true).factory());
  }

  /** A place in the queue; closing it gives the place back (idempotent). */
  public final class Ticket implements AutoCloseable {
    private boolean closed;

    private Ticket() {}

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
        admitted.decrementAndGet();
        places.release();
      }
    }
  }

  /**
   * A place, or RESOURCE_EXHAUSTED.
   *
   * @throws ServiceException when all places are taken
   */
  public Ticket admit() {
    if (!places.tryAcquire()) {
      throw ServiceException.exhausted("inference queue full (" + maxConcurrent + " running, " + maxQueued
          + " waiting); retry later");
    }
    admitted.incrementAndGet();
    return new Ticket();
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
