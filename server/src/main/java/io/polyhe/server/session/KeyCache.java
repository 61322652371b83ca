package io.polyhe.server.session;

import io.polyhe.he.rlwe.EvaluationKeys;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The parsed keys of the {@code capacity} most recently used sessions (those of {@code tiny} take
 * about 1.2 GB each), least recently used evicted first.
 *
 * <p>Keys are loaded <em>outside</em> the cache's lock, which guards only the maps: parsing a
 * session's keys takes seconds, and uploads, deletions and the expiry sweeper must not wait for
 * it. Callers that want the same session while it loads wait for that one load (and share its
 * failure) instead of parsing it again. Loaded or uploaded keys enter the cache only if the
 * session is still current at that moment, checked under the lock; since {@link SessionStore}
 * forgets a session's record before it calls {@link #remove}, a deleted or expired session's keys
 * never come back into memory. A pass that already holds keys keeps them until it ends.
 * Thread-safe.
 */
final class KeyCache {
  private final int capacity;
  private final LinkedHashMap<String, EvaluationKeys> keys = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, CompletableFuture<EvaluationKeys>> loading = new HashMap<>();

  /**
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  KeyCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cached sessions must be at least 1");
    }
    this.capacity = capacity;
  }

  /**
   * The keys of session {@code id}: cached, being loaded by another caller (waited for), or loaded
   * now by {@code loader} on this thread without the lock held. Loaded keys are cached only if
   * {@code current} holds then and {@link #remove} was not called meanwhile; they are returned
   * either way (the caller re-checks the session).
   *
   * @throws RuntimeException what {@code loader} threw, to every caller waiting for that load
   * @throws CancellationException if this thread is interrupted while waiting for another's load
   */
  EvaluationKeys get(String id, Supplier<EvaluationKeys> loader, BooleanSupplier current) {
    CompletableFuture<EvaluationKeys> mine;
    CompletableFuture<EvaluationKeys> theirs;
    synchronized (this) {
      EvaluationKeys k = keys.get(id);
      if (k != null) {
        return k;
      }
      theirs = loading.get(id);
      mine = theirs == null ? new CompletableFuture<>() : null;
      if (mine != null) {
        loading.put(id, mine);
      }
    }
    if (theirs != null) {
      return await(theirs);
    }
    EvaluationKeys k;
    try {
      k = loader.get();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        loading.remove(id, mine);
      }
      mine.completeExceptionally(e);
      throw e;
    }
    synchronized (this) {
      // Not registered any more: removed while loading; the keys are this caller's only.
      if (loading.remove(id, mine) && current.getAsBoolean()) {
        insert(id, k);
      }
    }
    mine.complete(k);
    return k;
  }

  private static EvaluationKeys await(CompletableFuture<EvaluationKeys> load) {
    try {
      return load.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for a session's keys to load");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Caches keys just uploaded for session {@code id}, if {@code current} holds (checked under the lock). */
  synchronized void put(String id, EvaluationKeys k, BooleanSupplier current) {
    if (current.getAsBoolean()) {
      insert(id, k);
    }
  }

  private void insert(String id, EvaluationKeys k) {
    keys.put(id, k);
    while (keys.size() > capacity) {
      keys.remove(keys.keySet().iterator().next());
    }
  }

  /** Forgets session {@code id}'s keys, and makes a load in progress leave them uncached. */
  synchronized void remove(String id) {
    keys.remove(id);
    loading.remove(id);
  }

  /** Sessions whose keys are cached now. */
  synchronized int size() {
    return keys.size();
  }
}
