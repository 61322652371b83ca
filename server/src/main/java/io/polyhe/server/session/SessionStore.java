package io.polyhe.server.session;

import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Sessions by id: who may use them, until when, and their evaluation keys, so a restarted server
 * keeps every session a client uploaded (DESIGN.md §5). It puts together the parts that each own one
 * concern: a {@link KeyStore} (key files: layout, atomic commit, checksums), a {@link SessionQuota}
 * (places and room), and a {@link KeyCache} (parsed keys). What it owns itself: the records of the
 * live sessions, the caller check, expiry, and the upload that ties the three together.
 *
 * <p>Invariants: a session is served only to the caller that uploaded it, before it expires, and
 * only with keys that passed the store's checksum and he-core's validation; every record holds one
 * quota place, given back exactly once when the record goes. Ids are 32 characters of URL-safe
 * base64 (192 random bits); anything else is rejected before reaching the store.
 *
 * <p>Errors are the session package's own ({@link SessionException} and its subclasses), which the
 * service layer maps to statuses; I/O faults stay {@link IOException}s.
 *
 * <p><b>Replicas.</b> Several servers may share one {@link KeyStore} (an S3 bucket): any of them
 * serves any session. A session this server has not seen yet is looked up in the store on first
 * use ({@link KeyStore#find}) and adopted; before every use of a session's keys ({@link #keys}) the
 * store is asked again whether the session's description still exists, so a session deleted or
 * expired by another replica is never served here (its cached keys are dropped on the spot), at
 * the price of one small read per inference. {@link #synchronize} (called by the sweeper) adopts
 * sessions uploaded elsewhere and forgets those deleted elsewhere, so listings, quotas and expiry
 * see the other replicas' sessions within one sweep period; quotas are checked against what this
 * server knows, so across replicas they hold within that staleness.
 *
 * <p>Thread-safe, with no lock of its own: records are a concurrent map, the quota and the cache
 * lock only for their bookkeeping, and keys are parsed with no lock held, so an upload or the
 * sweeper never waits for another session's keys to load.
 */
public final class SessionStore {
  private static final Logger LOG = Logger.getLogger(SessionStore.class.getName());

  private final KeyStore store;
  private final ModelRegistry models;
  private final Duration ttl;
  private final SessionQuota quota;
  private final KeyCache cache;
  private final ConcurrentHashMap<String, SessionRecord> records = new ConcurrentHashMap<>();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong loadedBytes = new AtomicLong();

  /**
   * Opens the sessions in {@code store} for the models {@code models} serves (see {@link
   * KeyStore#open}: leftovers of interrupted uploads are removed, damaged sessions reported lost and
   * removed, those of models not served kept but not served).
   *
   * @param maxSessions sessions (stored or being uploaded) in all
   * @param maxPerCaller sessions (stored or being uploaded) one caller may hold
   * @param ttl how long a session lives after its upload
   * @param cacheSessions sessions whose parsed keys stay in memory
   * @throws IllegalArgumentException if a bound is below 1
   * @throws IOException if the store cannot be listed
   */
  public SessionStore(KeyStore store, ModelRegistry models, int maxSessions, int maxPerCaller, Duration ttl,
      int cacheSessions) throws IOException {
    this.store = store;
    this.models = models;
    this.ttl = ttl;
    this.quota = new SessionQuota(maxSessions, maxPerCaller);
    this.cache = new KeyCache(cacheSessions);
    KeyStore.Inventory found = store.open(name -> models.find(name).isPresent());
    lost.addAndGet(found.lost());
    for (SessionRecord r : found.sessions()) {
      records.put(r.id(), r);
      quota.adopt(r.caller());
    }
  }

  /** Sessions found damaged or truncated (at start or when loaded) since this store opened. */
  public long lostSessions() {
    return lost.get();
  }

  /** Sessions removed because they expired, since this store opened. */
  public long expiredSessions() {
    return expired.get();
  }

  /** Key files read from the key store and verified (cache misses), since this store opened. */
  public long keyLoads() {
    return loads.get();
  }

  /** Bytes of the key files counted in {@link #keyLoads}. */
  public long keyLoadBytes() {
    return loadedBytes.get();
  }

  /** The live sessions of {@code caller}, oldest first (never another caller's). */
  public List<SessionRecord> list(Caller caller) {
    long now = System.currentTimeMillis();
    return records.values().stream().filter(r -> r.caller().equals(caller) && !r.expiredAt(now))
        .sorted(Comparator.comparingLong(SessionRecord::createdMillis)).toList();
  }

  /** Sessions stored now. */
  public int sessions() {
    return records.size();
  }

  /** Bytes of key files stored now. */
  public long storedBytes() {
    return records.values().stream().mapToLong(SessionRecord::bytes).sum();
  }

  /** Sessions whose keys are in memory now. */
  public int cachedSessions() {
    return cache.size();
  }

  /** As {@link #begin(Caller, ServedModel, long)} for an upload of unknown size. */
  public Upload begin(Caller caller, ServedModel model) throws IOException {
    return begin(caller, model, 0);
  }

  /**
   * Starts an upload of {@code bytes} for {@code caller}: sweeps expired sessions, reserves one of
   * the session places (and one of the caller's) and room in the store, and starts the key file.
   *
   * @throws QuotaExceededException when the store or the caller holds its maximum of sessions
   * @throws KeyStoreFullException when the store lacks the room
   * @throws KeyStoreUnavailableException when the store cannot be reached
   */
  public Upload begin(Caller caller, ServedModel model, long bytes) throws IOException {
    purgeExpired();
    SessionQuota.Reservation place = quota.reserve(caller, bytes, store.usableBytes());
    try {
      String id = SessionIds.newId();
      return new Upload(id, caller, model, place, store.create(id));
    } catch (IOException | RuntimeException e) {
      place.close();
      throw e;
    }
  }

  /**
   * The keys of session {@code id}, which must belong to {@code caller} and be for {@code model}.
   * They are parsed on first use (and after eviction) with no lock held; callers asking for the same
   * session meanwhile wait for that one load.
   *
   * @throws SessionNotFoundException for an unknown, expired or foreign session (the same answer
   *     for all three, so ids of other callers cannot be probed), or one deleted while it loaded
   * @throws SessionModelMismatchException for a session of another model
   * @throws DamagedKeysException if the stored keys fail their checks (counted as lost)
   */
  public EvaluationKeys keys(String id, Caller caller, ServedModel model) {
    SessionRecord r = record(id, caller);
    if (!r.model().equals(model.name())) {
      throw new SessionModelMismatchException("session is for model '" + r.model() + "', not '" + model.name() + "'");
    }
    if (!stillStored(r)) {
      throw new SessionNotFoundException("no such session");
    }
    EvaluationKeys k = cache.get(id, () -> load(r, model), () -> current(r));
    if (!current(r)) {
      // Deleted or expired meanwhile (a concurrent DeleteSession or the sweeper): gone.
      throw new SessionNotFoundException("no such session");
    }
    return k;
  }

  private boolean current(SessionRecord r) {
    return records.get(r.id()) == r;
  }

  /**
   * Whether {@code r}'s description is still in the store; if not (another replica deleted or
   * expired it), this server forgets it too.
   */
  private boolean stillStored(SessionRecord r) {
    Optional<SessionRecord> now;
    try {
      now = store.find(r.id());
    } catch (DamagedFileException e) {
      now = Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (now.isEmpty()) {
      forget(r);
      return false;
    }
    return true;
  }

  private EvaluationKeys load(SessionRecord r, ServedModel model) {
    try (InputStream in = store.read(r)) {
      EvaluationKeys keys = KeyFileReader.read(in, r, model);
      loads.incrementAndGet();
      loadedBytes.addAndGet(r.bytes());
      return keys;
    } catch (IOException | IllegalArgumentException e) {
      if (!current(r) || !stillStored(r)) {
        // Its files went with a concurrent deletion (here or on another replica): gone, not damaged.
        throw new SessionNotFoundException("no such session");
      }
      lost.incrementAndGet();
      LOG.warning("stored keys of a session are damaged: "
          + (e instanceof FileSystemException ? e.getClass().getSimpleName() : e.getMessage()));
      throw new DamagedKeysException("the stored keys of this session are damaged; upload them again");
    }
  }

  /**
   * The record of session {@code id} of {@code caller}; an expired one is removed on the way.
   *
   * @throws SessionNotFoundException as {@link #keys}
   */
  public SessionRecord record(String id, Caller caller) {
    if (!SessionIds.valid(id)) {
      throw new SessionNotFoundException("no such session");
    }
    SessionRecord r = records.get(id);
    if (r == null) {
      r = adopt(id).orElse(null);
    }
    if (r == null || !r.caller().equals(caller)) {
      throw new SessionNotFoundException("no such session");
    }
    if (r.expiredAt(System.currentTimeMillis())) {
      expire(r);
      throw new SessionNotFoundException("session expired; upload the keys again");
    }
    return r;
  }

  /**
   * The record of session {@code id}, read from the store, if it is stored and for a model served
   * here (another replica uploaded it, or this one before a restart); known here from now on
   * unless it has expired (then the caller expires it).
   */
  private Optional<SessionRecord> adopt(String id) {
    Optional<SessionRecord> found;
    try {
      found = store.find(id);
    } catch (DamagedFileException e) {
      LOG.warning("session " + SessionIds.shortForm(id) + " has a damaged description: " + e.getMessage());
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (found.isEmpty() || models.find(found.get().model()).isEmpty()) {
      return Optional.empty();
    }
    SessionRecord r = found.get();
    if (r.expiredAt(System.currentTimeMillis())) {
      return found;
    }
    if (records.putIfAbsent(id, r) == null) {
      quota.adopt(r.caller());
      return Optional.of(r);
    }
    return Optional.ofNullable(records.get(id));
  }

  /**
   * Brings what this server knows in line with the store, which other replicas share: sessions
   * published elsewhere are adopted, sessions whose description is gone are forgotten (their keys
   * leave the cache). Called by the sweeper; cheap for a store only this server writes.
   *
   * @throws UncheckedIOException if the store cannot be listed
   */
  public void synchronize() {
    Set<String> stored;
    try {
      stored = store.ids();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (SessionRecord r : List.copyOf(records.values())) {
      // Checked once more one by one: a session committed after the listing is not in it.
      if (!stored.contains(r.id())) {
        stillStored(r);
      }
    }
    long now = System.currentTimeMillis();
    for (String id : stored) {
      if (!records.containsKey(id)) {
        // Expired ones too: the replica that uploaded them may be gone, and someone must delete them.
        adopt(id).filter(r -> r.expiredAt(now)).ifPresent(r -> {
          remove(r);
          expired.incrementAndGet();
        });
      }
    }
  }

  /**
   * Forgets {@code r} here (record, quota place, cached keys) without touching the store: another
   * replica removed it.
   */
  private void forget(SessionRecord r) {
    if (records.remove(r.id(), r)) {
      quota.release(r.caller());
    }
    cache.remove(r.id());
  }

  /** Deletes session {@code id} of {@code caller} (errors as {@link #record}). */
  public void delete(String id, Caller caller) {
    remove(record(id, caller));
  }

  /**
   * Removes every expired session (record, cached keys, files). The server calls it periodically,
   * so expired keys leave memory and disk even when nobody touches them; a pass already running
   * keeps the keys it holds until it ends.
   */
  public void purgeExpired() {
    long now = System.currentTimeMillis();
    for (SessionRecord r : List.copyOf(records.values())) {
      if (r.expiredAt(now)) {
        expire(r);
      }
    }
  }

  /**
   * Releases the key store's open resources (an S3 client) when the server stops; the sessions stay
   * stored for the next start or another replica.
   */
  public void closeStore() {
    store.close();
  }

  private void expire(SessionRecord r) {
    if (remove(r)) {
      expired.incrementAndGet();
    }
  }

  /**
   * Forgets {@code r}, then its cached keys, then its files; true if this call removed the record
   * (which then gives its quota place back). The record goes first: the cache admits keys only for
   * current records, so none of {@code r}'s can come back.
   */
  private boolean remove(SessionRecord r) {
    boolean removed = records.remove(r.id(), r);
    if (removed) {
      quota.release(r.caller());
    }
    cache.remove(r.id());
    try {
      store.delete(r.id());
    } catch (IOException | RuntimeException e) {
      LOG.warning("could not delete the files of a session: " + e.getClass().getSimpleName());
    }
    return removed;
  }

  /**
   * One upload in progress: keys (already validated by the caller) are appended to a pending key
   * file; {@link #commit} publishes it as a new session, {@link #close} discards it and gives its
   * place back. Not thread-safe (one upload stream drives it).
   */
  public final class Upload implements AutoCloseable {
    private final String id;
    private final Caller caller;
    private final ServedModel model;
    private final SessionQuota.Reservation place;
    private final KeyStore.PendingKeys file;
    private final List<GaloisKey> galois = new ArrayList<>();
    private RelinearizationKey relin;
    private boolean done;

    private Upload(String id, Caller caller, ServedModel model, SessionQuota.Reservation place,
        KeyStore.PendingKeys file) {
      this.id = id;
      this.caller = caller;
      this.model = model;
      this.place = place;
      this.file = file;
    }

    /**
     * Appends the relinearisation key (must come before any Galois key).
     *
     * @throws IllegalArgumentException if it comes late or twice
     * @throws KeyStoreFullException if the store filled up (the upload is then discarded)
     */
    public void addRelinearizationKey(RelinearizationKey key, byte[] encoded) throws IOException {
      if (relin != null || !galois.isEmpty()) {
        throw new IllegalArgumentException("the relinearisation key must come first and once");
      }
      relin = key;
      append(encoded);
    }

    /** Appends a Galois key ({@link KeyStoreFullException} as above). */
    public void addGaloisKey(GaloisKey key, byte[] encoded) throws IOException {
      galois.add(key);
      append(encoded);
    }

    private void append(byte[] encoded) throws IOException {
      try {
        file.write(encoded);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    /**
     * Makes the session durable and cached; returns its record.
     *
     * @throws KeyStoreFullException if the store filled up (the upload is then removed)
     */
    public SessionRecord commit() throws IOException {
      SessionRecord r;
      try {
        KeyStore.Checksum sum = file.finish();
        long now = System.currentTimeMillis();
        r = new SessionRecord(id, caller, model.name(), now, now + ttl.toMillis(),
            galois.stream().map(GaloisKey::galoisElement).toList(), relin != null, sum.bytes(), sum.sha256());
        file.commit(r);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
      done = true;
      place.keep();
      records.put(r.id(), r);
      cache.put(r.id(), EvaluationKeys.of(model.parameters().rlwe(), relin, galois), () -> current(r));
      return r;
    }

    /** Removes the partial upload and gives its place back (no effect after {@link #commit}). */
    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      place.close();
      // Its parsed keys are garbage now, even if something still holds this upload.
      galois.clear();
      relin = null;
      file.close();
    }
  }
}
