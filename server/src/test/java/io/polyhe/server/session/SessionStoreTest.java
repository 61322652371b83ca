package io.polyhe.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.he.rlwe.EvaluationKeys;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistence of sessions across restarts (a new store on the same directory), and its failures. */
class SessionStoreTest {
  static final Caller ALICE = new Caller("alice");
  static ModelRegistry models;
  static ServedModel tiny;
  static RelinearizationKey relin;
  static GaloisKey galois;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws Exception {
    models = ModelRegistry.load(List.of("tiny"), ComputeBackends.best(ComputeBackends.defaultThreads()));
    tiny = models.find("tiny").orElseThrow();
    KeyGenerator gen = new KeyGenerator(tiny.context().rlwe(), SeedSource.secure());
    SecretKey sk = gen.generateSecretKey();
    relin = gen.generateRelinearizationKey(sk);
    galois = gen.generateGaloisKey(sk, tiny.galoisElements().iterator().next());
  }

  SessionStore open(Duration ttl) throws Exception {
    return open(new DiskKeyStore(dir), 4, 4, ttl);
  }

  static SessionStore open(KeyStore keys, int maxSessions, int maxPerCaller, Duration ttl) throws Exception {
    return new SessionStore(keys, models, maxSessions, maxPerCaller, ttl, 1);
  }

  static SessionRecord upload(SessionStore store) throws Exception {
    return upload(store, ALICE);
  }

  static SessionRecord upload(SessionStore store, Caller caller) throws Exception {
    try (SessionStore.Upload u = store.begin(caller, tiny)) {
      u.addRelinearizationKey(relin, HeFormat.write(relin));
      u.addGaloisKey(galois, HeFormat.write(galois));
      return u.commit();
    }
  }


  @Test
  void aRestartedStoreServesTheSameKeys() throws Exception {
    SessionRecord r = upload(open(Duration.ofHours(1)));
    SessionStore restarted = open(Duration.ofHours(1));
    assertEquals(1, restarted.sessions());
    assertEquals(0, restarted.cachedSessions(), "nothing in memory before first use");
    var keys = restarted.keys(r.id(), ALICE, tiny);
    assertTrue(keys.relinearizationKey().isPresent());
    assertEquals(1, restarted.keyLoads(), "one key file read from disk");
    assertEquals(r.bytes(), restarted.keyLoadBytes());
    assertEquals(galois.galoisElement(), keys.galoisKeys().keySet().iterator().next());
    assertTrue(java.util.Arrays.equals(HeFormat.write(galois), HeFormat.write(keys.galoisKeys().values().iterator()
        .next())), "the key read back is the key uploaded");
    assertThrows(SessionNotFoundException.class, () -> restarted.keys(r.id(), new Caller("bob"), tiny));
  }

  @Test
  void damagedOrTruncatedKeyFilesAreReportedLostAtStartAndTheRestIsServed() throws Exception {
    SessionStore store = open(Duration.ofHours(1));
    SessionRecord flipped = upload(store);
    SessionRecord truncated = upload(store);
    SessionRecord intact = upload(store);
    Path flippedFile = dir.resolve(flipped.id()).resolve("keys.bin");
    byte[] b = Files.readAllBytes(flippedFile);
    // The last byte is in the Galois key's seed: the key still parses, only the checksum can tell.
    b[b.length - 1] ^= 1;
    Files.write(flippedFile, b);
    Path truncatedFile = dir.resolve(truncated.id()).resolve("keys.bin");
    Files.write(truncatedFile, java.util.Arrays.copyOf(Files.readAllBytes(truncatedFile), 1000));

    SessionStore restarted = open(Duration.ofHours(1));
    assertEquals(2, restarted.lostSessions(), "both damaged sessions reported lost");
    assertEquals(1, restarted.sessions());
    assertThrows(SessionNotFoundException.class, () -> restarted.keys(flipped.id(), ALICE, tiny));
    assertThrows(SessionNotFoundException.class, () -> restarted.keys(truncated.id(), ALICE, tiny));
    assertFalse(Files.exists(dir.resolve(flipped.id())), "a lost session's files are removed");
    assertTrue(restarted.keys(intact.id(), ALICE, tiny).relinearizationKey().isPresent(), "the rest is served");
  }

  @Test
  void keysDamagedWhileServingAreAFailedPreconditionNotGarbage() throws Exception {
    SessionRecord r = upload(open(Duration.ofHours(1)));
    SessionStore restarted = open(Duration.ofHours(1));
    Path keysFile = dir.resolve(r.id()).resolve("keys.bin");
    byte[] b = Files.readAllBytes(keysFile);
    b[b.length - 1] ^= 1;
    Files.write(keysFile, b);
    DamagedKeysException e = assertThrows(DamagedKeysException.class, () -> restarted.keys(r.id(), ALICE, tiny));
    assertEquals("the stored keys of this session are damaged; upload them again", e.getMessage());
    assertEquals(1, restarted.lostSessions());
    assertEquals(0, restarted.cachedSessions(), "nothing damaged is cached");
    assertEquals(1, restarted.sessions(), "still listed: the client learns to upload again");
  }

  /** A disk that fills up after {@code budget} bytes, as the kernel reports it (ENOSPC). */
  static final class FullDisk implements DiskKeyStore.Disk {
    final java.util.concurrent.atomic.AtomicLong budget;
    final long usable;

    FullDisk(long budget, long usable) {
      this.budget = new java.util.concurrent.atomic.AtomicLong(budget);
      this.usable = usable;
    }

    @Override
    public java.io.OutputStream create(Path file) throws java.io.IOException {
      java.io.OutputStream real = Files.newOutputStream(file);
      return new java.io.FilterOutputStream(real) {
        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
          if (budget.addAndGet(-len) < 0) {
            throw new java.io.IOException("No space left on device");
          }
          real.write(b, off, len);
        }

        @Override
        public void write(int b) throws java.io.IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }
      };
    }

    @Override
    public long usableBytes(Path d) {
      return usable;
    }
  }

  static void assertNoTemporaryDirectories(Path root) throws Exception {
    try (var files = Files.list(root)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".upload-")), "nothing half-written");
    }
  }

  @Test
  void aFullDiskIsResourceExhaustedAndLeavesNothingHalfWritten() throws Exception {
    long keyBytes = HeFormat.write(relin).length + HeFormat.write(galois).length;
    // Full in the middle of the keys, and full when only the description is left to write.
    for (long budget : new long[] {keyBytes / 2, keyBytes}) {
      Path root = dir.resolve("full-" + budget);
      SessionStore store = open(new DiskKeyStore(root, new FullDisk(budget, Long.MAX_VALUE)), 1, 1,
          Duration.ofHours(1));
      KeyStoreFullException e = assertThrows(KeyStoreFullException.class, () -> upload(store));
      assertTrue(e.getMessage().contains("disk is full"), e.getMessage());
      assertEquals(0, store.sessions());
      assertNoTemporaryDirectories(root);
      // The session place (the only one, and the caller's only one) was given back.
      store.begin(ALICE, tiny).close();
    }
    // An upload larger than the free space is refused before a byte is written.
    SessionStore tight = open(new DiskKeyStore(dir.resolve("tight"), new FullDisk(Long.MAX_VALUE, 10L << 20)), 4, 4,
        Duration.ofHours(1));
    KeyStoreFullException e = assertThrows(KeyStoreFullException.class, () -> tight.begin(ALICE, tiny, 1L << 20));
    assertTrue(e.getMessage().contains("MiB free"), e.getMessage());
    assertNoTemporaryDirectories(dir.resolve("tight"));
    // Uploads in progress share the free space: with room for 10 MiB of keys, 6 MiB promised to one
    // upload leaves too little for 5 MiB more.
    SessionStore shared = open(new DiskKeyStore(dir.resolve("shared"),
        new FullDisk(Long.MAX_VALUE, SessionQuota.MARGIN_BYTES + (10L << 20))), 4, 4, Duration.ofHours(1));
    try (SessionStore.Upload first = shared.begin(ALICE, tiny, 6L << 20)) {
      e = assertThrows(KeyStoreFullException.class, () -> shared.begin(new Caller("bob"), tiny, 5L << 20));
      assertTrue(e.getMessage().contains("promised to uploads in progress"), e.getMessage());
    }
    shared.begin(new Caller("bob"), tiny, 5L << 20).close(); // the first one's room came back
  }

  @Test
  void sessionLimitsHoldExactlyAtTheLimitAndRefuseOnePast() throws Exception {
    // Two places in all, one per caller.
    SessionStore store = open(new DiskKeyStore(dir), 2, 1, Duration.ofHours(1));
    upload(store);
    QuotaExceededException mine = assertThrows(QuotaExceededException.class, () -> begin(store, ALICE),
        "alice past her one session");
    assertEquals("this caller holds 1 sessions, the per-caller limit of 1; delete one first", mine.getMessage());
    try (SessionStore.Upload u = store.begin(new Caller("bob"), tiny)) {
      u.addRelinearizationKey(relin, HeFormat.write(relin));
      u.commit();
    }
    assertEquals(2, store.sessions(), "at the limit of two sessions");
    QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> begin(store, new Caller("carol")));
    assertEquals("the server holds its maximum of 2 sessions; delete one or try later", e.getMessage());
    assertEquals(1, store.list(ALICE).size());
    assertTrue(store.list(new Caller("carol")).isEmpty());
  }

  @Test
  void uploadsInProgressCountAgainstTheCallersShare() throws Exception {
    SessionStore store = open(new DiskKeyStore(dir), 4, 1, Duration.ofHours(1));
    try (SessionStore.Upload first = store.begin(ALICE, tiny)) {
      assertThrows(QuotaExceededException.class, () -> begin(store, ALICE), "one upload at a time for alice");
      begin(store, new Caller("bob"));
    }
    begin(store, ALICE); // given back when the first closed
  }

  @Test
  void aRestartWithoutTheSessionsModelKeepsItOnDisk() throws Exception {
    SessionRecord r = upload(open(Duration.ofHours(1)));
    // As if stored by a server that also served a model "retired", which this one does not.
    Path meta = dir.resolve(r.id()).resolve("session.properties");
    String described = Files.readString(meta);
    Files.writeString(meta, described.replace("model=tiny", "model=retired"));
    SessionStore without = open(Duration.ofHours(1));
    assertEquals(0, without.sessions(), "not served while its model is not");
    assertEquals(0, without.lostSessions(), "and not reported lost");
    assertTrue(Files.exists(dir.resolve(r.id()).resolve("keys.bin")), "its files stay");
    Files.writeString(meta, described);
    SessionStore with = open(Duration.ofHours(1));
    assertTrue(with.keys(r.id(), ALICE, tiny).relinearizationKey().isPresent(), "served again with its model");
  }

  static void begin(SessionStore store, Caller caller) {
    try {
      store.begin(caller, tiny).close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void sessionIdsAre192RandomBitsOfUrlSafeBase64() {
    int n = 4000;
    int[] ones = new int[192];
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      String id = SessionIds.newId();
      assertTrue(id.matches("[A-Za-z0-9_-]{32}"), id);
      assertTrue(seen.add(id), "ids never repeat");
      byte[] raw = java.util.Base64.getUrlDecoder().decode(id);
      assertEquals(24, raw.length, "192 bits (at least the 128 the issue asks for)");
      for (int bit = 0; bit < 192; bit++) {
        ones[bit] += (raw[bit >> 3] >> (bit & 7)) & 1;
      }
    }
    // Every bit is a fair coin: 4000 flips stay within 0.5 +- 0.05 except with probability ~1e-10 each.
    for (int bit = 0; bit < 192; bit++) {
      double p = ones[bit] / (double) n;
      assertTrue(p > 0.45 && p < 0.55, "bit " + bit + " is set in " + p + " of ids");
    }
  }

  @Test
  void interruptedUploadsAndUnreadableSessionsAreNotServed() throws Exception {
    SessionStore store = open(Duration.ofHours(1));
    SessionStore.Upload abandoned = store.begin(ALICE, tiny);
    abandoned.addRelinearizationKey(relin, HeFormat.write(relin));
    // The process dies here: the temporary directory stays behind.
    SessionRecord r = upload(store);
    Files.writeString(dir.resolve(r.id()).resolve("session.properties"), "caller=alice\n");
    SessionStore restarted = open(Duration.ofHours(1));
    assertEquals(0, restarted.sessions());
    try (var files = Files.list(dir)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".upload-")), "leftover removed");
    }
    assertThrows(SessionNotFoundException.class, () -> restarted.keys(r.id(), ALICE, tiny));
  }

  @Test
  void expiredSessionsAreGoneAndLimitsHold() throws Exception {
    SessionStore store = open(Duration.ofMillis(1));
    SessionRecord r = upload(store);
    Thread.sleep(5);
    SessionNotFoundException gone = assertThrows(SessionNotFoundException.class, () -> store.keys(r.id(), ALICE, tiny));
    assertEquals("session expired; upload the keys again", gone.getMessage());
    assertFalse(Files.exists(dir.resolve(r.id())), "expired files deleted");
    assertEquals(1, store.expiredSessions());
    SessionStore small = open(new DiskKeyStore(dir.resolve("small")), 1, 1, Duration.ofHours(1));
    upload(small);
    assertThrows(QuotaExceededException.class, () -> small.begin(ALICE, tiny));
    assertEquals("no such session",
        assertThrows(SessionNotFoundException.class, () -> store.record("../" + "x".repeat(29), ALICE)).getMessage());
    assertThrows(SessionNotFoundException.class, () -> store.record(null, ALICE));
  }

  /**
   * A key store whose reads of one session stop at their first byte until the test lets them go:
   * a load of that session's keys is then in progress, deterministically, for as long as the test
   * needs. Everything else goes straight to the disk store.
   */
  static class GatedKeyStore implements KeyStore {
    final KeyStore disk;
    final String gated;
    final CountDownLatch loading = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger reads = new AtomicInteger();

    GatedKeyStore(KeyStore disk, String gated) {
      this.disk = disk;
      this.gated = gated;
    }

    @Override
    public Inventory open(Predicate<String> served) throws IOException {
      return disk.open(served);
    }

    @Override
    public PendingKeys create(String id) throws IOException {
      return disk.create(id);
    }

    @Override
    public java.util.Optional<SessionRecord> find(String id) throws IOException {
      return disk.find(id);
    }

    @Override
    public java.util.Set<String> ids() throws IOException {
      return disk.ids();
    }

    @Override
    public InputStream read(SessionRecord r) throws IOException {
      reads.incrementAndGet();
      InputStream in = disk.read(r);
      if (!r.id().equals(gated)) {
        return in;
      }
      return new FilterInputStream(in) {
        boolean opened;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (!opened) {
            opened = true;
            loading.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException();
            }
          }
          return super.read(b, off, len);
        }

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
      };
    }

    @Override
    public void delete(String id) throws IOException {
      disk.delete(id);
    }

    @Override
    public long usableBytes() throws IOException {
      return disk.usableBytes();
    }
  }

  // Deadlock guard only: each step below either completes at once or never (if the load held a lock
  // it needs); nothing is timed.
  static final long GUARD_SECONDS = 120;

  static <T> T completes(Future<T> step, String what) throws Exception {
    try {
      return step.get(GUARD_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " never completed: it waits for the held-up load", e);
    }
  }

  @Test
  void anotherSessionsUploadAndTheSweeperProceedWhileKeysLoad() throws Exception {
    SessionRecord first = upload(open(Duration.ofHours(1)));
    GatedKeyStore gate = new GatedKeyStore(new DiskKeyStore(dir), first.id());
    SessionStore store = open(gate, 4, 4, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<EvaluationKeys> load = pool.submit(() -> store.keys(first.id(), ALICE, tiny));
      assertTrue(gate.loading.await(GUARD_SECONDS, TimeUnit.SECONDS), "the first session's keys started loading");
      // The first session's keys are mid-read and stay there until release: a second session's
      // upload, the sweeper, listing and the figures must all go through meanwhile.
      Future<SessionRecord> second = pool.submit(() -> {
        store.purgeExpired();
        return upload(store, new Caller("bob"));
      });
      SessionRecord bobs = completes(second, "bob's upload and the sweep");
      assertEquals(List.of(bobs), store.list(new Caller("bob")));
      assertEquals(2, store.sessions());
      assertEquals(1, store.cachedSessions(), "bob's keys cached at commit");
      assertFalse(load.isDone(), "the first load is still held at its first byte");

      gate.release.countDown();
      EvaluationKeys keys = load.get(GUARD_SECONDS, TimeUnit.SECONDS);
      assertTrue(java.util.Arrays.equals(HeFormat.write(galois), HeFormat.write(keys.galoisKeys().get(
          galois.galoisElement()))), "the keys loaded are the keys uploaded");
      assertTrue(store.keys(first.id(), ALICE, tiny) == keys, "cached after the load");
      assertEquals(1, gate.reads.get(), "read once");
    } finally {
      gate.release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aSessionDeletedWhileItsKeysLoadIsNotFoundAndNotCached() throws Exception {
    SessionRecord first = upload(open(Duration.ofHours(1)));
    GatedKeyStore gate = new GatedKeyStore(new DiskKeyStore(dir), first.id());
    SessionStore store = open(gate, 4, 4, Duration.ofHours(1));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<EvaluationKeys> load = pool.submit(() -> store.keys(first.id(), ALICE, tiny));
      assertTrue(gate.loading.await(GUARD_SECONDS, TimeUnit.SECONDS));
      store.delete(first.id(), ALICE); // does not wait for the load
      assertFalse(Files.exists(dir.resolve(first.id())), "its files are gone");
      gate.release.countDown();
      ExecutionException e = assertThrows(ExecutionException.class, () -> load.get(GUARD_SECONDS, TimeUnit.SECONDS));
      assertInstanceOf(SessionNotFoundException.class, e.getCause());
      assertEquals(0, store.cachedSessions(), "a deleted session's keys never enter memory");
      assertEquals(0, store.lostSessions(), "deleted, not damaged");
      assertEquals(0, store.sessions());
      // Its place came back: with room for one session per caller, alice may upload again.
      upload(store);
    } finally {
      gate.release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void callersNeitherSeeNorDeleteEachOthersSessionsAndPlacesComeBack() throws Exception {
    SessionStore store = open(new DiskKeyStore(dir), 2, 1, Duration.ofHours(1));
    SessionRecord alices = upload(store);
    Caller bob = new Caller("bob");
    assertThrows(SessionNotFoundException.class, () -> store.delete(alices.id(), bob));
    assertThrows(SessionNotFoundException.class, () -> store.record(alices.id(), bob));
    assertTrue(store.list(bob).isEmpty());
    assertEquals(List.of(alices), store.list(ALICE));
    store.delete(alices.id(), ALICE);
    assertFalse(Files.exists(dir.resolve(alices.id())));
    assertThrows(SessionNotFoundException.class, () -> store.delete(alices.id(), ALICE));
    // Both places are free again: one for each caller.
    upload(store);
    upload(store, bob);
    assertEquals(2, store.sessions());
  }

  @Test
  void keysForAnotherModelThanTheSessionsAreRefusedBeforeAnyRead() throws Exception {
    // A store that knows one session, of a model "retired", and must never be read.
    SessionRecord retired = new SessionRecord(SessionIds.newId(), ALICE, "retired", System.currentTimeMillis(),
        System.currentTimeMillis() + 3_600_000, List.of(), true, 1, "00");
    KeyStore described = new GatedKeyStore(new DiskKeyStore(dir), "") {
      @Override
      public Inventory open(Predicate<String> served) {
        return new Inventory(List.of(retired), 0);
      }
    };
    SessionStore store = open(described, 4, 4, Duration.ofHours(1));
    SessionModelMismatchException e = assertThrows(SessionModelMismatchException.class,
        () -> store.keys(retired.id(), ALICE, tiny));
    assertEquals("session is for model 'retired', not 'tiny'", e.getMessage());
    assertEquals(0, ((GatedKeyStore) described).reads.get());
  }
}
