package io.polyhe.server.service;

import io.polyhe.he.io.HeFormat;
import io.polyhe.he.rlwe.RlweParameters;

/**
 * The memory that key uploads in progress may hold, in bytes: each upload reserves, when its header
 * arrives, what it will hold until it commits ({@link #bytesFor}: its parsed keys and the buffer of
 * the key being received), and gives it back when it commits or ends otherwise. An upload that does
 * not fit beside those in progress is refused with RESOURCE_EXHAUSTED; one alone is always admitted,
 * so an upload larger than the whole budget still goes, one at a time. This bounds in-flight upload
 * memory by bytes, not by the number of sessions (six stalled uploads of ~0.6 GB each once filled a
 * 5 GB heap). Thread-safe.
 */
public final class UploadBudget {
  private final long limit;
  private long reserved;
  private int uploads;

  /** @param limit bytes the uploads in progress may hold together, at least 1 */
  public UploadBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the upload memory budget must be positive");
    }
    this.limit = limit;
  }

  /**
   * Memory an upload of {@code keys} switching keys of {@code params} holds until it commits: each
   * parsed key (b and a of every digit over Q·P, 8 bytes a coefficient), and the key being received
   * (its buffer grows by doubling: up to twice its serialised size).
   */
  public static long bytesFor(RlweParameters params, int keys) {
    return bytesFor(params, keys, HeFormat.switchingKeySize(params));
  }

  /** As {@link #bytesFor(RlweParameters, int)} with keys of at most {@code maxKeyBytes} serialised. */
  public static long bytesFor(RlweParameters params, int keys, long maxKeyBytes) {
    long limbs = params.qCount() + params.pCount();
    long parsed = 2L * params.dnum() * limbs * params.n() * Long.BYTES;
    return keys * parsed + 2 * maxKeyBytes;
  }

  /** The budget in bytes. */
  public long limit() {
    return limit;
  }

  /** Bytes reserved by uploads in progress now. */
  public synchronized long reservedBytes() {
    return reserved;
  }

  /**
   * Reserves {@code bytes} for one upload.
   *
   * @throws ServiceException RESOURCE_EXHAUSTED if other uploads hold too much of the budget
   */
  public synchronized Reservation reserve(long bytes) {
    if (uploads > 0 && reserved + bytes > limit) {
      throw ServiceException.exhausted("key uploads in progress hold " + (reserved >> 20) + " MiB of the server's"
          + " upload memory budget of " + (limit >> 20) + " MiB; this one needs " + (bytes >> 20)
          + " MiB more (the server's --max-upload-memory-bytes); retry later");
    }
    reserved += bytes;
    uploads++;
    return new Reservation(bytes);
  }

  /** One upload's share; {@link #close} gives it back (once). */
  public final class Reservation implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      synchronized (UploadBudget.this) {
        if (!closed) {
          closed = true;
          reserved -= bytes;
          uploads--;
        }
      }
    }
  }
}
