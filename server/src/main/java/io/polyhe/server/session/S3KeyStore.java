package io.polyhe.server.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link KeyStore} in an S3 bucket (AWS S3, MinIO, Ceph RGW, S3Proxy ...), which any number of
 * server replicas share. Session {@code id} is two objects under the prefix: {@code <id>/keys.bin},
 * the key file, written as a multipart upload in {@link #PART_BYTES} parts and completed by {@link
 * PendingKeys#finish}; then {@code <id>/session.properties}, its description ({@link
 * SessionDescription}), put by {@link PendingKeys#commit}. The description is the session: it is
 * written last and deleted first, and S3 makes each object visible whole or not at all, so no
 * replica ever sees half a session. The key file's size and SHA-256 are in the description and
 * checked on every load ({@link VerifyingInputStream}); S3's own per-request checksums are left to
 * the server's defaults, since this end-to-end check covers them.
 *
 * <p>Leftovers: {@link PendingKeys#close} before commit aborts the multipart upload (or deletes a
 * completed key file). A replica that dies mid-upload leaves an unfinished multipart upload (or a
 * key file without description); {@link #open} and {@link #removeLeftovers} remove those older than
 * {@link S3Settings#orphanAge}, since a younger one may be another replica's upload in progress.
 *
 * <p>Failures: a network error, a timeout or a 5xx answer (after the SDK's own retries) becomes
 * {@link KeyStoreUnavailableException}; a store out of room (507, MinIO's {@code
 * XMinioStorageFull}, a quota) {@link KeyStoreFullException}; both with a message for the client,
 * the cause logged here. Anything else (403, a missing bucket) is a misconfiguration of this server
 * and stays an {@link IOException}. Credentials: see {@link S3Settings}. Thread-safe (the SDK
 * client is; every other field is immutable).
 */
public final class S3KeyStore implements KeyStore {
  private static final Logger LOG = Logger.getLogger(S3KeyStore.class.getName());
  static final String KEYS = "keys.bin";
  static final String META = "session.properties";
  /** Part size of key-file uploads: above S3's 5 MiB minimum, small enough to buffer per upload. */
  public static final int PART_BYTES = 8 << 20;

  private final S3Client s3;
  private final S3Settings settings;
  private final boolean ownsClient;

  /** A store on {@code s3} (closed by whoever made it, not by {@link #close}) at {@code settings}' bucket and prefix. */
  public S3KeyStore(S3Client s3, S3Settings settings) {
    this(s3, settings, false);
  }

  private S3KeyStore(S3Client s3, S3Settings settings, boolean ownsClient) {
    this.s3 = s3;
    this.settings = settings;
    this.ownsClient = ownsClient;
  }

  /**
   * A store with its own client, as {@code settings} say: credentials from the default chain or
   * the credentials file, path-style addressing at a custom endpoint. {@link #close} closes that client.
   */
  public static S3KeyStore open(S3Settings settings) {
    return new S3KeyStore(client(settings), settings, true);
  }

  /** Closes the client {@link #open} made (its connection pool and threads); a given client stays open. */
  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  /** An S3 client for {@code settings}. */
  public static S3Client client(S3Settings settings) {
    AwsCredentialsProvider credentials = settings.credentialsFile()
        .<AwsCredentialsProvider>map(f -> ProfileCredentialsProvider.builder()
            .profileFile(ProfileFile.builder().content(f).type(ProfileFile.Type.CREDENTIALS).build())
            .profileName(System.getenv().getOrDefault("AWS_PROFILE", "default")).build())
        .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    S3ClientBuilder b = S3Client.builder().credentialsProvider(credentials)
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60)))
        // Our SHA-256 covers every byte end to end; not every S3-compatible server speaks the
        // SDK's newer default checksums (aws-chunked uploads), so they are sent only when required.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint().isPresent()) {
      b.endpointOverride(settings.endpoint().get()).forcePathStyle(true)
          .region(Region.of(settings.region().orElse("us-east-1")));
    } else {
      b.region(settings.region().map(Region::of).orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion()));
    }
    return b.build();
  }

  /** Where this store is. */
  public S3Settings settings() {
    return settings;
  }

  private String key(String id, String name) {
    return settings.prefix() + id + "/" + name;
  }

  @Override
  public Inventory open(Predicate<String> served) throws IOException {
    // Key files by id, with their sizes, from one listing.
    Map<String, Long> keyFiles = new HashMap<>();
    Set<String> described = new HashSet<>();
    Map<String, Instant> keyFileTimes = new HashMap<>();
    for (S3Object o : listAll()) {
      String[] idName = idAndName(o.key());
      if (idName == null) {
        continue;
      }
      if (idName[1].equals(KEYS)) {
        keyFiles.put(idName[0], o.size());
        keyFileTimes.put(idName[0], o.lastModified());
      } else if (idName[1].equals(META)) {
        described.add(idName[0]);
      }
    }
    List<SessionRecord> sessions = new ArrayList<>();
    long lost = 0;
    for (String id : described) {
      String shortId = SessionIds.shortForm(id);
      try {
        SessionRecord r = find(id).orElse(null);
        if (r == null) {
          continue; // deleted by another replica since the listing
        }
        Long size = keyFiles.get(id);
        if (size == null || size != r.bytes()) {
          throw new DamagedFileException("key file missing or of another size than its description");
        }
        if (!served.test(r.model())) {
          LOG.info("session " + shortId + " is for model '" + r.model() + "', not served now; kept in the store");
          continue;
        }
        // The key file's checksum is verified when it is loaded: reading every session's keys
        // from a shared store at each replica's start would cost gigabytes of transfer.
        sessions.add(r);
      } catch (DamagedFileException e) {
        lost++;
        LOG.warning("session " + shortId + " lost: " + e.getMessage()
            + "; its objects are removed and its id is unknown from now on");
        delete(id);
      }
    }
    removeLeftovers(settings.orphanAge(), keyFileTimes, described);
    return new Inventory(sessions, lost);
  }

  /**
   * Removes what uploads left that are older than {@code age}: unfinished multipart uploads, and
   * key files without a description. With {@code age} zero everything unfinished goes, which is
   * right only when no replica is uploading (an operator's sweep, or a test's end).
   *
   * @return how many leftovers were removed
   */
  public int removeLeftovers(Duration age) throws IOException {
    Map<String, Instant> keyFileTimes = new HashMap<>();
    Set<String> described = new HashSet<>();
    for (S3Object o : listAll()) {
      String[] idName = idAndName(o.key());
      if (idName != null && idName[1].equals(KEYS)) {
        keyFileTimes.put(idName[0], o.lastModified());
      } else if (idName != null && idName[1].equals(META)) {
        described.add(idName[0]);
      }
    }
    return removeLeftovers(age, keyFileTimes, described);
  }

  private int removeLeftovers(Duration age, Map<String, Instant> keyFileTimes, Set<String> described)
      throws IOException {
    Instant before = Instant.now().minus(age);
    int removed = 0;
    try {
      for (MultipartUpload u : s3.listMultipartUploadsPaginator(r -> r.bucket(settings.bucket())
          .prefix(settings.prefix())).uploads()) {
        if (age.isZero() || u.initiated() == null || !u.initiated().isAfter(before)) {
          s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(u.key()).uploadId(u.uploadId()));
          removed++;
        }
      }
    } catch (SdkException e) {
      throw S3Failures.translate(e, "listing unfinished uploads");
    }
    for (Map.Entry<String, Instant> f : keyFileTimes.entrySet()) {
      // Re-checked: a description may have been put since the listing.
      // Age zero: everything, whatever the clocks of this server and the store say.
      if (!described.contains(f.getKey()) && (age.isZero() || !f.getValue().isAfter(before))
          && find(f.getKey()).isEmpty()) {
        deleteObject(key(f.getKey(), KEYS));
        removed++;
      }
    }
    if (removed > 0) {
      LOG.info("removed " + removed + " leftovers of interrupted uploads from the key store");
    }
    return removed;
  }

  /**
   * Every object under the prefix. Keys ending in {@code /} are left out: this store never writes
   * them, and servers on a file system (MinIO in FS mode, S3Proxy's filesystem back end) list
   * their directories as such empty objects.
   */
  public List<S3Object> listAll() throws IOException {
    try {
      List<S3Object> all = new ArrayList<>();
      s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(settings.prefix())).contents().stream()
          .filter(o -> !o.key().endsWith("/")).forEach(all::add);
      return all;
    } catch (SdkException e) {
      throw S3Failures.translate(e, "listing the key store");
    }
  }

  /** Multipart uploads under the prefix not yet completed or aborted. */
  public int unfinishedUploads() throws IOException {
    try {
      int n = 0;
      for (MultipartUpload u : s3.listMultipartUploadsPaginator(r -> r.bucket(settings.bucket())
          .prefix(settings.prefix())).uploads()) {
        n++;
      }
      return n;
    } catch (SdkException e) {
      throw S3Failures.translate(e, "listing unfinished uploads");
    }
  }

  /** {@code [id, name]} of a key {@code <prefix><id>/<name>} with a valid id, else null. */
  private String[] idAndName(String key) {
    String rest = key.substring(settings.prefix().length());
    int slash = rest.indexOf('/');
    if (slash < 0 || !SessionIds.valid(rest.substring(0, slash))) {
      return null;
    }
    return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
  }

  @Override
  public Optional<SessionRecord> find(String id) throws IOException {
    try (InputStream in = s3.getObject(r -> r.bucket(settings.bucket()).key(key(id, META)))) {
      return Optional.of(SessionDescription.read(id, in));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw S3Failures.translate(e, "reading a session description");
    }
  }

  @Override
  public Set<String> ids() throws IOException {
    Set<String> ids = new HashSet<>();
    for (S3Object o : listAll()) {
      String[] idName = idAndName(o.key());
      if (idName != null && idName[1].equals(META)) {
        ids.add(idName[0]);
      }
    }
    return ids;
  }

  @Override
  public PendingKeys create(String id) throws IOException {
    try {
      String uploadId = s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key(key(id, KEYS))).uploadId();
      return new Pending(id, uploadId);
    } catch (SdkException e) {
      throw S3Failures.translate(e, "starting an upload");
    }
  }

  @Override
  public InputStream read(SessionRecord r) throws IOException {
    try {
      InputStream raw = s3.getObject(g -> g.bucket(settings.bucket()).key(key(r.id(), KEYS)));
      return new VerifyingInputStream(new S3Failures.TranslatingInputStream(raw), r.bytes(), r.sha256());
    } catch (NoSuchKeyException e) {
      throw new DamagedFileException("key file missing");
    } catch (SdkException e) {
      throw S3Failures.translate(e, "reading a key file");
    }
  }

  @Override
  public void delete(String id) throws IOException {
    // The description first: from then on no replica serves the session.
    deleteObject(key(id, META));
    deleteObject(key(id, KEYS));
  }

  private void deleteObject(String key) throws IOException {
    try {
      s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
    } catch (SdkException e) {
      throw S3Failures.translate(e, "deleting from the key store");
    }
  }

  @Override
  public long usableBytes() {
    return Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    return "S3KeyStore(" + settings + ")";
  }

  /** One key file: parts uploaded as they fill, then completed, then described. */
  private final class Pending implements PendingKeys {
    private final String id;
    private final String uploadId;
    private final MessageDigest digest = Sha256.newDigest();
    private final List<CompletedPart> parts = new ArrayList<>();
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(PART_BYTES);
    private long bytes;
    private Checksum checksum;
    private boolean completed;
    private boolean committed;
    private boolean closed;

    Pending(String id, String uploadId) {
      this.id = id;
      this.uploadId = uploadId;
    }

    @Override
    public void write(byte[] b) throws IOException {
      if (checksum != null || closed) {
        throw new IllegalStateException("the key file is finished");
      }
      digest.update(b);
      bytes += b.length;
      int off = 0;
      while (off < b.length) {
        int n = Math.min(b.length - off, PART_BYTES - buffer.size());
        buffer.write(b, off, n);
        off += n;
        if (buffer.size() == PART_BYTES) {
          uploadPart();
        }
      }
    }

    private void uploadPart() throws IOException {
      int number = parts.size() + 1;
      byte[] part = buffer.toByteArray();
      buffer.reset();
      try {
        String etag = s3.uploadPart(r -> r.bucket(settings.bucket()).key(key(id, KEYS)).uploadId(uploadId)
            .partNumber(number).contentLength((long) part.length), RequestBody.fromBytes(part)).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      } catch (SdkException e) {
        throw S3Failures.translate(e, "uploading a key file");
      }
    }

    @Override
    public Checksum finish() throws IOException {
      if (checksum != null || closed) {
        throw new IllegalStateException("the key file is finished");
      }
      if (buffer.size() > 0 || parts.isEmpty()) {
        uploadPart(); // the last part may be below the minimum size
      }
      buffer = null;
      try {
        s3.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(key(id, KEYS)).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts)));
      } catch (SdkException e) {
        throw S3Failures.translate(e, "completing a key file");
      }
      completed = true;
      checksum = new Checksum(bytes, Sha256.hex(digest));
      return checksum;
    }

    @Override
    public void commit(SessionRecord r) throws IOException {
      if (checksum == null || committed || closed) {
        throw new IllegalStateException("commit comes once, after finish");
      }
      if (!r.id().equals(id) || r.bytes() != checksum.bytes() || !r.sha256().equals(checksum.sha256())) {
        throw new IllegalArgumentException("the description states another session or key file");
      }
      ByteArrayOutputStream meta = new ByteArrayOutputStream();
      SessionDescription.write(r, meta);
      try {
        s3.putObject(p -> p.bucket(settings.bucket()).key(key(id, META)), RequestBody.fromBytes(meta.toByteArray()));
      } catch (SdkException e) {
        throw S3Failures.translate(e, "publishing a session");
      }
      committed = true;
    }

    @Override
    public void close() {
      if (committed || closed) {
        return;
      }
      closed = true;
      buffer = null;
      try {
        if (completed) {
          deleteObject(key(id, KEYS));
        } else {
          s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key(id, KEYS)).uploadId(uploadId));
        }
      } catch (IOException | SdkException e) {
        // Left for removeLeftovers after the orphan age.
        LOG.warning("could not remove an abandoned upload from the key store: " + e.getClass().getSimpleName());
      }
    }
  }
}
