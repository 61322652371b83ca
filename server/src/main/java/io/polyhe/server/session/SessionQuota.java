package io.polyhe.server.session;

import io.polyhe.server.auth.Caller;
import java.util.HashMap;
import java.util.Map;

/**
 * Session places and key-store room. A place is held by every stored session and by every upload
 * in progress, so that concurrent uploads cannot together pass a limit: at most {@code
 * maxSessions} in all and {@code maxPerCaller} per caller. An upload also promises the store room
 * for the bytes it declared, and the store must have room for every promise at once plus {@link
 * #MARGIN_BYTES}. Thread-safe (one lock, held only for the arithmetic).
 */
public final class SessionQuota {
  /** Room left free in the key store beyond the declared size of the uploads in progress, bytes. */
  public static final long MARGIN_BYTES = 64L << 20;

  private final int maxSessions;
  private final int maxPerCaller;
  private final Map<Caller, Integer> heldBy = new HashMap<>();
  private int held;
  private long promisedBytes;

  /**
   * @param maxSessions places in all (stored sessions and uploads in progress)
   * @param maxPerCaller places one caller may hold
   * @throws IllegalArgumentException if either is below 1
   */
  public SessionQuota(int maxSessions, int maxPerCaller) {
    if (maxSessions < 1 || maxPerCaller < 1) {
      throw new IllegalArgumentException("max sessions and sessions per caller must be at least 1");
    }
    this.maxSessions = maxSessions;
    this.maxPerCaller = maxPerCaller;
  }

  /**
   * Counts a session that is already stored (found when the server starts): it holds a place even
   * past the limits, which then refuse new uploads until enough sessions are gone.
   */
  public synchronized void adopt(Caller caller) {
    held++;
    heldBy.merge(caller, 1, Integer::sum);
  }

  /** Gives back the place of a stored session that left (deleted, expired, lost). */
  public synchronized void release(Caller caller) {
    held--;
    heldBy.computeIfPresent(caller, (c, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Reserves a place for an upload of {@code bytes} by {@code caller}, and that much room in a store
   * with {@code usableBytes} free.
   *
   * @throws QuotaExceededException if the store or the caller holds its maximum of places
   * @throws KeyStoreFullException if the store lacks the room
   */
  public synchronized Reservation reserve(Caller caller, long bytes, long usableBytes) {
    if (held >= maxSessions) {
      throw new QuotaExceededException("the server holds its maximum of " + maxSessions
          + " sessions; delete one or try later");
    }
    int mine = heldBy.getOrDefault(caller, 0);
    if (mine >= maxPerCaller) {
      throw new QuotaExceededException("this caller holds " + mine + " sessions, the per-caller limit of "
          + maxPerCaller + "; delete one first");
    }
    if (usableBytes < promisedBytes + bytes + MARGIN_BYTES) {
      throw new KeyStoreFullException("the key store's disk has " + usableBytes / (1 << 20) + " MiB free, "
          + promisedBytes / (1 << 20) + " MiB of it promised to uploads in progress; keys of "
          + bytes / (1 << 20) + " MiB need " + (bytes + MARGIN_BYTES) / (1 << 20) + " MiB more");
    }
    adopt(caller);
    promisedBytes += bytes;
    return new Reservation(caller, bytes);
  }

  /** Places held now (stored sessions and uploads in progress). */
  public synchronized int held() {
    return held;
  }

  /** Bytes promised to uploads in progress now. */
  public synchronized long promisedBytes() {
    return promisedBytes;
  }

  /**
   * The place and room of one upload. {@link #keep} turns the place into a stored session's (which
   * {@link SessionQuota#release} gives back later) and frees the room; {@link #close} gives both
   * back unless kept. Thread-safe; both are idempotent and only the first of them counts.
   */
  public final class Reservation implements AutoCloseable {
    private final Caller caller;
    private final long bytes;
    private boolean settled;

    private Reservation(Caller caller, long bytes) {
      this.caller = caller;
      this.bytes = bytes;
    }

    /** The upload committed: its place now holds the stored session. */
    public void keep() {
      synchronized (SessionQuota.this) {
        if (!settled) {
          settled = true;
          promisedBytes -= bytes;
        }
      }
    }

    /** The upload ended without a session: place and room go back. */
    @Override
    public void close() {
      synchronized (SessionQuota.this) {
        if (!settled) {
          settled = true;
          promisedBytes -= bytes;
          release(caller);
        }
      }
    }
  }
}
