package io.polyhe.server.session;

import io.polyhe.he.io.HeFormat;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.service.ServiceException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Evaluation keys by session, on disk with an in-memory cache, so a restarted server keeps every
 * session a client uploaded (DESIGN.md §5).
 *
 * <p>On disk, session {@code id} is directory {@code <root>/<id>/} with {@code keys.bin} (the keys
 * in polyhe's binary format, concatenated: the relinearisation key first, then Galois keys) and
 * {@code session.properties} (caller, model, expiry, the key list and the SHA-256 of {@code
 * keys.bin}). An upload is written into a temporary directory and renamed into place atomically
 * only when complete, so a crash never leaves a half session; a load re-checks the checksum and
 * re-validates every key against the model (he-core's reader checks every coefficient).
 *
 * <p>The cache keeps the parsed keys of the {@code cacheSessions} most recently used sessions (the
 * keys of a model like {@code tiny} take about 1.2 GB in memory). Ids are 32 characters of
 * URL-safe base64 (192 random bits); anything else is rejected before touching the file system.
 * Thread-safe.
 */
public final class SessionStore {
  private static final Logger LOG = Logger.getLogger(SessionStore.class.getName());
  private static final String KEYS = "keys.bin";
  private static final String META = "session.properties";
  private static final String TMP_PREFIX = ".upload-";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final ModelRegistry models;
  private final int maxSessions;
  private final Duration ttl;
  private final int cacheSessions;
  /** Room left free on the key store's disk beyond an upload's declared size. */
  static final long DISK_MARGIN_BYTES = 64L << 20;

  /**
   * Where the store's bytes go: the local file system, or a test's failing one. Implementations
   * are thread-safe.
   */
  public interface Disk {
    /** The file system itself. */
    Disk LOCAL = new Disk() {};

    /** A new file to write. */
    default OutputStream create(Path file) throws IOException {
      return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Forces {@code file}'s bytes (or a directory's entries) to the device. */
    default void sync(Path file) throws IOException {
      try (FileChannel c = FileChannel.open(file, Files.isDirectory(file) ? StandardOpenOption.READ
          : StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }

    /** Bytes a new file in {@code dir} may still take. */
    default long usableBytes(Path dir) throws IOException {
      return Files.getFileStore(dir).getUsableSpace();
    }
  }

  private final ConcurrentHashMap<String, SessionRecord> records = new ConcurrentHashMap<>();
  private final Map<String, EvaluationKeys> cache;
  private final int maxPerCaller;
  private final Disk disk;
  private final Map<Caller, Integer> reservedBy = new java.util.HashMap<>();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private int reserved;
  /** Bytes the uploads in progress declared: the disk must have room for all of them at once. */
  private long reservedBytes;

  /** A store without a per-caller bound, on the local disk. */
  public SessionStore(Path root, ModelRegistry models, int maxSessions, Duration ttl, int cacheSessions)
      throws IOException {
    this(root, models, maxSessions, maxSessions, ttl, cacheSessions, Disk.LOCAL);
  }

  /**
   * Opens (creating it if need be) the store at {@code root} and reads every complete session in
   * it; leftovers of interrupted uploads are removed, and sessions whose files do not parse or whose
   * key file fails its size or SHA-256 check are reported lost and removed.
   *
   * @param maxPerCaller sessions (stored or being uploaded) one caller may hold
   */
  public SessionStore(Path root, ModelRegistry models, int maxSessions, int maxPerCaller, Duration ttl,
      int cacheSessions, Disk disk) throws IOException {
    if (maxSessions < 1 || cacheSessions < 1 || maxPerCaller < 1) {
      throw new IllegalArgumentException("max sessions, per caller and cached sessions must be at least 1");
    }
    this.root = Files.createDirectories(root);
    this.models = models;
    this.maxSessions = maxSessions;
    this.maxPerCaller = maxPerCaller;
    this.ttl = ttl;
    this.cacheSessions = cacheSessions;
    this.disk = disk;
    this.cache = new LinkedHashMap<>(16, 0.75f, true);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.startsWith(TMP_PREFIX)) {
          // An upload the previous process did not finish: never a session.
          deleteTree(d);
        } else if (validId(name) && Files.isDirectory(d)) {
          String shortId = name.substring(0, 6) + "...";
          try {
            SessionRecord r = readMeta(name, d.resolve(META));
            if (models.find(r.model()).isEmpty()) {
              // Kept on disk: a restart that serves the model again serves the session again.
              LOG.info("session " + shortId + " is for model '" + r.model() + "', not served now; kept on disk");
              continue;
            }
            verifyChecksum(r, d.resolve(KEYS));
            records.put(name, r);
          } catch (Damaged e) {
            lost.incrementAndGet();
            LOG.warning("session " + shortId + " lost: " + e.getMessage()
                + "; its files are removed and its id is unknown from now on");
            try {
              deleteTree(d);
            } catch (IOException x) {
              LOG.warning("could not remove the files of a lost session: " + x.getClass().getSimpleName());
            }
          } catch (IOException e) {
            // Not proof of damage (permissions, too many open files): keep the files for a later start.
            LOG.warning("session " + shortId + " could not be read (" + e.getClass().getSimpleName()
                + "); kept on disk, not served until a restart reads it");
          }
        }
      }
    }
  }

  /** Proof that a stored session is damaged: unreadable description, wrong size or checksum. */
  private static final class Damaged extends IOException {
    Damaged(String message) {
      super(message);
    }
  }

  private static void verifyChecksum(SessionRecord r, Path keys) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(keys)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    if (!HexFormat.of().formatHex(md.digest()).equals(r.sha256())) {
      throw new Damaged("key file checksum mismatch");
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

  /** The live sessions of {@code caller}, oldest first (never another caller's). */
  public List<SessionRecord> list(Caller caller) {
    long now = System.currentTimeMillis();
    return records.values().stream().filter(r -> r.caller().equals(caller) && !r.expiredAt(now))
        .sorted(java.util.Comparator.comparingLong(SessionRecord::createdMillis)).toList();
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
  public synchronized int cachedSessions() {
    return cache.size();
  }

  /** As {@link #begin(Caller, ServedModel, long)} for an upload of unknown size. */
  public Upload begin(Caller caller, ServedModel model) throws IOException {
    return begin(caller, model, 0);
  }

  /**
   * Starts an upload of {@code bytes} for {@code caller}: reserves one of the {@code maxSessions}
   * places (and one of the caller's), and checks that the disk has room for it.
   *
   * @throws ServiceException RESOURCE_EXHAUSTED when the store is full, the caller holds its
   *     share, or the disk lacks the room
   */
  public Upload begin(Caller caller, ServedModel model, long bytes) throws IOException {
    synchronized (this) {
      purgeExpired();
      if (records.size() + reserved >= maxSessions) {
        throw ServiceException.exhausted("the server holds its maximum of " + maxSessions
            + " sessions; delete one or try later");
      }
      long mine = records.values().stream().filter(r -> r.caller().equals(caller)).count()
          + reservedBy.getOrDefault(caller, 0);
      if (mine >= maxPerCaller) {
        throw ServiceException.exhausted("this caller holds " + mine + " sessions, the per-caller limit of "
            + maxPerCaller + "; delete one first");
      }
      long free = disk.usableBytes(root);
      if (free < reservedBytes + bytes + DISK_MARGIN_BYTES) {
        throw ServiceException.exhausted("the key store's disk has " + free / (1 << 20) + " MiB free, "
            + reservedBytes / (1 << 20) + " MiB of it promised to uploads in progress; keys of "
            + bytes / (1 << 20) + " MiB need " + (bytes + DISK_MARGIN_BYTES) / (1 << 20) + " MiB more");
      }
      reserved++;
      reservedBytes += bytes;
      reservedBy.merge(caller, 1, Integer::sum);
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory(root, TMP_PREFIX);
      return new Upload(caller, model, dir, bytes);
    } catch (IOException | RuntimeException e) {
      release(caller, bytes);
      if (dir != null) {
        try {
          deleteTree(dir);
        } catch (IOException x) {
          LOG.warning("could not remove an upload's temporary directory: " + x.getClass().getSimpleName());
        }
      }
      throw storeFailure(e);
    }
  }

  private synchronized void release(Caller caller, long declaredBytes) {
    reserved--;
    reservedBytes -= declaredBytes;
    reservedBy.computeIfPresent(caller, (c, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * A write failure as the client should see it: a full disk is RESOURCE_EXHAUSTED (the client may
   * retry later); anything else stays an I/O error (INTERNAL, logged with a reference).
   */
  static RuntimeException storeFailure(Exception e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof IOException && (m.contains("No space left") || m.contains("Disk quota exceeded"))) {
      LOG.warning("key store disk full: " + m);
      return ServiceException.exhausted("the key store's disk is full; the upload was discarded, retry later");
    }
    return e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
  }

  /**
   * The keys of session {@code id}, which must belong to {@code caller} and be for {@code model}.
   *
   * @throws ServiceException NOT_FOUND for an unknown, expired or foreign session (the same answer
   *     for all three, so ids of other callers cannot be probed), INVALID_ARGUMENT for a session of
   *     another model
   */
  public EvaluationKeys keys(String id, Caller caller, ServedModel model) {
    SessionRecord r = record(id, caller);
    if (!r.model().equals(model.name())) {
      throw ServiceException.invalid("session is for model '" + r.model() + "', not '" + model.name() + "'");
    }
    synchronized (this) {
      // Deleted or expired since record() (a concurrent DeleteSession or the sweeper): gone, not
      // damaged, and its keys must not come back into the cache.
      if (records.get(id) != r) {
        throw ServiceException.notFound("no such session");
      }
      EvaluationKeys k = cache.get(id);
      if (k != null) {
        return k;
      }
      k = load(r, model);
      put(id, k);
      return k;
    }
  }

  /** The record of session {@code id} of {@code caller} (see {@link #keys} for the errors). */
  public SessionRecord record(String id, Caller caller) {
    if (id == null || !validId(id)) {
      throw ServiceException.notFound("no such session");
    }
    SessionRecord r = records.get(id);
    if (r == null || !r.caller().equals(caller)) {
      throw ServiceException.notFound("no such session");
    }
    if (r.expiredAt(System.currentTimeMillis())) {
      if (records.remove(r.id(), r)) {
        expired.incrementAndGet();
      }
      delete(r);
      throw ServiceException.notFound("session expired; upload the keys again");
    }
    return r;
  }

  /** Deletes session {@code id} of {@code caller} (NOT_FOUND as {@link #record}). */
  public void delete(String id, Caller caller) {
    delete(record(id, caller));
  }

  private void delete(SessionRecord r) {
    synchronized (this) {
      records.remove(r.id());
      cache.remove(r.id());
    }
    try {
      deleteTree(root.resolve(r.id()));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete the files of a session: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Removes every expired session (files and cached keys). The server calls it periodically, so
   * expired keys leave memory and disk even when nobody touches them; a pass already running keeps
   * the keys it holds until it ends.
   */
  public synchronized void purgeExpired() {
    long now = System.currentTimeMillis();
    for (SessionRecord r : List.copyOf(records.values())) {
      if (r.expiredAt(now)) {
        if (records.remove(r.id(), r)) {
          expired.incrementAndGet();
        }
        delete(r);
      }
    }
  }

  private void put(String id, EvaluationKeys keys) {
    cache.put(id, keys);
    while (cache.size() > cacheSessions) {
      String eldest = cache.keySet().iterator().next();
      cache.remove(eldest);
    }
  }

  private EvaluationKeys load(SessionRecord r, ServedModel model) {
    Path file = root.resolve(r.id()).resolve(KEYS);
    try (InputStream raw = Files.newInputStream(file);
        DigestInputStream in = new DigestInputStream(new BufferedInputStream(raw, 1 << 16), sha256())) {
      RelinearizationKey relin = r.hasRelinearizationKey()
          ? HeFormat.readRelinearizationKey(in, model.context()) : null;
      List<GaloisKey> galois = new ArrayList<>();
      for (int g : r.galoisElements()) {
        GaloisKey k = HeFormat.readGaloisKey(in, model.context());
        if (k.galoisElement() != g) {
          throw new IOException("key file does not match its description");
        }
        galois.add(k);
      }
      if (in.read() != -1) {
        throw new IOException("trailing bytes in key file");
      }
      String sum = HexFormat.of().formatHex(in.getMessageDigest().digest());
      if (!sum.equals(r.sha256())) {
        throw new IOException("key file checksum mismatch");
      }
      return EvaluationKeys.of(model.parameters().rlwe(), relin, galois);
    } catch (IOException | IllegalArgumentException e) {
      lost.incrementAndGet();
      LOG.warning("stored keys of a session are damaged: "
          + (e instanceof java.nio.file.FileSystemException ? e.getClass().getSimpleName() : e.getMessage()));
      throw ServiceException.precondition("the stored keys of this session are damaged; upload them again");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  static boolean validId(String id) {
    return id.length() == 32 && id.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
        || c >= '0' && c <= '9' || c == '-' || c == '_');
  }

  // Damaged: a missing or malformed description, a key file missing or of another size. The model
  // is not checked here (a session of a model not served now is not damaged).
  private SessionRecord readMeta(String id, Path meta) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(meta)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Damaged("session description missing");
    } catch (IllegalArgumentException e) {
      throw new Damaged("session description malformed");
    }
    try {
      List<Integer> galois = new ArrayList<>();
      String g = p.getProperty("galois", "");
      if (!g.isEmpty()) {
        for (String s : g.split(",")) {
          galois.add(Integer.parseInt(s));
        }
      }
      SessionRecord r = new SessionRecord(id, new Caller(req(p, "caller")), req(p, "model"),
          Long.parseLong(req(p, "created")), Long.parseLong(req(p, "expires")), galois,
          Boolean.parseBoolean(req(p, "relinearization")), Long.parseLong(req(p, "bytes")), req(p, "sha256"));
      Path keys = meta.resolveSibling(KEYS);
      if (!Files.exists(keys) || Files.size(keys) != r.bytes()) {
        throw new Damaged("key file missing or of another size than its description");
      }
      return r;
    } catch (IllegalArgumentException e) {
      throw new Damaged("session description malformed");
    }
  }

  private static String req(Properties p, String k) throws IOException {
    String v = p.getProperty(k);
    if (v == null) {
      throw new Damaged("session description lacks " + k);
    }
    return v;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * One upload in progress: keys are appended (already validated by the caller) to a temporary
   * directory; {@link #commit} renames it into place, {@link #abort} removes it. Not thread-safe
   * (one upload stream drives it).
   */
  public final class Upload implements AutoCloseable {
    private final Caller caller;
    private final ServedModel model;
    private final Path dir;
    private final OutputStream out;
    private final MessageDigest digest = sha256();
    private final List<GaloisKey> galois = new ArrayList<>();
    private final long declaredBytes;
    private RelinearizationKey relin;
    private long bytes;
    private boolean done;

    private Upload(Caller caller, ServedModel model, Path dir, long declaredBytes) throws IOException {
      this.declaredBytes = declaredBytes;
      this.caller = caller;
      this.model = model;
      this.dir = dir;
      this.out = new java.io.BufferedOutputStream(disk.create(dir.resolve(KEYS)), 1 << 16);
    }

    /** Appends the relinearisation key (must come before any Galois key). */
    public void addRelinearizationKey(RelinearizationKey key, byte[] encoded) throws IOException {
      if (relin != null || !galois.isEmpty()) {
        throw ServiceException.invalid("the relinearisation key must come first and once");
      }
      relin = key;
      append(encoded);
    }

    /** Appends a Galois key. */
    public void addGaloisKey(GaloisKey key, byte[] encoded) throws IOException {
      galois.add(key);
      append(encoded);
    }

    private void append(byte[] encoded) throws IOException {
      try {
        out.write(encoded);
      } catch (IOException e) {
        close();
        throw storeFailure(e);
      }
      digest.update(encoded);
      bytes += encoded.length;
    }

    /**
     * Makes the session durable and cached; returns its record.
     *
     * @throws ServiceException RESOURCE_EXHAUSTED if the disk filled up (the upload is then removed)
     */
    public SessionRecord commit() throws IOException {
      try {
        return writeAndRename();
      } catch (IOException | RuntimeException e) {
        close();
        throw storeFailure(e);
      }
    }

    private SessionRecord writeAndRename() throws IOException {
      out.close();
      disk.sync(dir.resolve(KEYS));
      String id = newId();
      long now = System.currentTimeMillis();
      SessionRecord r = new SessionRecord(id, caller, model.name(), now, now + ttl.toMillis(),
          galois.stream().map(GaloisKey::galoisElement).toList(), relin != null, bytes,
          HexFormat.of().formatHex(digest.digest()));
      Properties p = new Properties();
      p.setProperty("caller", caller.id());
      p.setProperty("model", r.model());
      p.setProperty("created", Long.toString(r.createdMillis()));
      p.setProperty("expires", Long.toString(r.expiresMillis()));
      p.setProperty("relinearization", Boolean.toString(r.hasRelinearizationKey()));
      p.setProperty("galois", String.join(",", r.galoisElements().stream().map(String::valueOf).toList()));
      p.setProperty("bytes", Long.toString(bytes));
      p.setProperty("sha256", r.sha256());
      try (var w = new java.io.OutputStreamWriter(disk.create(dir.resolve(META)), StandardCharsets.UTF_8)) {
        p.store(w, "polyhe session");
      }
      disk.sync(dir.resolve(META));
      disk.sync(dir);
      // Rename the complete directory into place: the session appears whole or not at all. The
      // fsyncs above make the rename durable only after the bytes it points at.
      Files.move(dir, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
      try {
        disk.sync(root);
      } catch (IOException e) {
        LOG.fine("could not fsync the key store directory: " + e.getMessage());
      }
      synchronized (SessionStore.this) {
        release(caller, declaredBytes);
        done = true;
        records.put(id, r);
        put(id, EvaluationKeys.of(model.parameters().rlwe(), relin, galois));
      }
      return r;
    }

    /** Removes the partial upload (no effect after {@link #commit}). */
    @Override
    public void close() {
      synchronized (SessionStore.this) {
        if (done) {
          return;
        }
        done = true;
        release(caller, declaredBytes);
      }
      // Its parsed keys are garbage now, even if something still holds this upload.
      galois.clear();
      relin = null;
      try {
        out.close();
      } catch (IOException e) {
        // A full disk fails the final flush too; the directory goes anyway.
      }
      try {
        deleteTree(dir);
      } catch (IOException e) {
        LOG.warning("could not remove an abandoned upload: " + e.getClass().getSimpleName());
      }
    }
  }

  /** A new session id: 192 bits of {@link SecureRandom}, 32 characters of URL-safe base64. */
  static String newId() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
