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
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  private final ConcurrentHashMap<String, SessionRecord> records = new ConcurrentHashMap<>();
  private final Map<String, EvaluationKeys> cache;
  private int reserved;

  /**
   * Opens (creating it if need be) the store at {@code root} and reads every complete session in
   * it; leftovers of interrupted uploads are removed, and sessions whose files do not parse are
   * skipped with a warning.
   */
  public SessionStore(Path root, ModelRegistry models, int maxSessions, Duration ttl, int cacheSessions)
      throws IOException {
    if (maxSessions < 1 || cacheSessions < 1) {
      throw new IllegalArgumentException("max sessions and cached sessions must be at least 1");
    }
    this.root = Files.createDirectories(root);
    this.models = models;
    this.maxSessions = maxSessions;
    this.ttl = ttl;
    this.cacheSessions = cacheSessions;
    this.cache = new LinkedHashMap<>(16, 0.75f, true);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.startsWith(TMP_PREFIX)) {
          deleteTree(d);
        } else if (validId(name) && Files.isRegularFile(d.resolve(META))) {
          try {
            records.put(name, readMeta(name, d.resolve(META)));
          } catch (IOException | RuntimeException e) {
            LOG.warning("skipping unreadable session directory " + name.substring(0, 6) + "...: " + e.getMessage());
          }
        }
      }
    }
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

  /**
   * Starts an upload for {@code caller}: reserves one of the {@code maxSessions} places.
   *
   * @throws ServiceException RESOURCE_EXHAUSTED when the store is full
   */
  public Upload begin(Caller caller, ServedModel model) throws IOException {
    synchronized (this) {
      purgeExpired();
      if (records.size() + reserved >= maxSessions) {
        throw ServiceException.exhausted("the server holds its maximum of " + maxSessions
            + " sessions; delete one or try later");
      }
      reserved++;
    }
    try {
      return new Upload(caller, model, Files.createTempDirectory(root, TMP_PREFIX));
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        reserved--;
      }
      throw e;
    }
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
      LOG.log(Level.WARNING, "could not delete the files of a session: " + e.getMessage());
    }
  }

  private synchronized void purgeExpired() {
    long now = System.currentTimeMillis();
    for (SessionRecord r : List.copyOf(records.values())) {
      if (r.expiredAt(now)) {
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
      LOG.warning("stored keys of a session are damaged: " + e.getMessage());
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

  private SessionRecord readMeta(String id, Path meta) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(meta)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
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
    if (models.find(r.model()).isEmpty()) {
      throw new IOException("model '" + r.model() + "' is not served");
    }
    if (Files.size(meta.resolveSibling(KEYS)) != r.bytes()) {
      throw new IOException("key file size differs from its description");
    }
    return r;
  }

  private static String req(Properties p, String k) throws IOException {
    String v = p.getProperty(k);
    if (v == null) {
      throw new IOException("session description lacks " + k);
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
    private RelinearizationKey relin;
    private long bytes;
    private boolean done;

    private Upload(Caller caller, ServedModel model, Path dir) throws IOException {
      this.caller = caller;
      this.model = model;
      this.dir = dir;
      this.out = new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(KEYS)), 1 << 16);
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
      out.write(encoded);
      digest.update(encoded);
      bytes += encoded.length;
    }

    /** Makes the session durable and cached; returns its record. */
    public SessionRecord commit() throws IOException {
      out.close();
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
      try (var w = Files.newBufferedWriter(dir.resolve(META), StandardCharsets.UTF_8)) {
        p.store(w, "polyhe session");
      }
      // Rename the complete directory into place: the session appears whole or not at all.
      Files.move(dir, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
      synchronized (SessionStore.this) {
        reserved--;
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
        reserved--;
      }
      try {
        out.close();
        deleteTree(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String newId() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
