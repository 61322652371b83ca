package io.polyhe.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
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
import io.polyhe.server.service.ServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    return new SessionStore(dir, models, 4, ttl, 1);
  }

  SessionRecord upload(SessionStore store) throws Exception {
    try (SessionStore.Upload u = store.begin(ALICE, tiny)) {
      u.addRelinearizationKey(relin, HeFormat.write(relin));
      u.addGaloisKey(galois, HeFormat.write(galois));
      return u.commit();
    }
  }

  static Status.Code code(Runnable r) {
    return assertThrows(ServiceException.class, r::run).code();
  }

  @Test
  void aRestartedStoreServesTheSameKeys() throws Exception {
    SessionRecord r = upload(open(Duration.ofHours(1)));
    SessionStore restarted = open(Duration.ofHours(1));
    assertEquals(1, restarted.sessions());
    assertEquals(0, restarted.cachedSessions(), "nothing in memory before first use");
    var keys = restarted.keys(r.id(), ALICE, tiny);
    assertTrue(keys.relinearizationKey().isPresent());
    assertEquals(galois.galoisElement(), keys.galoisKeys().keySet().iterator().next());
    assertTrue(java.util.Arrays.equals(HeFormat.write(galois), HeFormat.write(keys.galoisKeys().values().iterator()
        .next())), "the key read back is the key uploaded");
    assertEquals(Status.Code.NOT_FOUND, code(() -> restarted.keys(r.id(), new Caller("bob"), tiny)));
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
    assertEquals(Status.Code.NOT_FOUND, code(() -> restarted.keys(flipped.id(), ALICE, tiny)));
    assertEquals(Status.Code.NOT_FOUND, code(() -> restarted.keys(truncated.id(), ALICE, tiny)));
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
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> restarted.keys(r.id(), ALICE, tiny)));
    assertEquals(1, restarted.lostSessions());
  }

  /** A disk that fills up after {@code budget} bytes, as the kernel reports it (ENOSPC). */
  static final class FullDisk implements SessionStore.Disk {
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
      SessionStore store = new SessionStore(root, models, 1, 1, Duration.ofHours(1), 1,
          new FullDisk(budget, Long.MAX_VALUE));
      ServiceException e = assertThrows(ServiceException.class, () -> upload(store));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("disk is full"), e.getMessage());
      assertEquals(0, store.sessions());
      assertNoTemporaryDirectories(root);
      // The session place (the only one, and the caller's only one) was given back.
      store.begin(ALICE, tiny).close();
    }
    // An upload larger than the free space is refused before a byte is written.
    SessionStore tight = new SessionStore(dir.resolve("tight"), models, 4, 4, Duration.ofHours(1), 1,
        new FullDisk(Long.MAX_VALUE, 10L << 20));
    ServiceException e = assertThrows(ServiceException.class, () -> tight.begin(ALICE, tiny, 1L << 20));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(e.getMessage().contains("MiB free"), e.getMessage());
    assertNoTemporaryDirectories(dir.resolve("tight"));
    // Uploads in progress share the free space: with room for 10 MiB of keys, 6 MiB promised to one
    // upload leaves too little for 5 MiB more.
    SessionStore shared = new SessionStore(dir.resolve("shared"), models, 4, 4, Duration.ofHours(1), 1,
        new FullDisk(Long.MAX_VALUE, SessionStore.DISK_MARGIN_BYTES + (10L << 20)));
    try (SessionStore.Upload first = shared.begin(ALICE, tiny, 6L << 20)) {
      e = assertThrows(ServiceException.class, () -> shared.begin(new Caller("bob"), tiny, 5L << 20));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("promised to uploads in progress"), e.getMessage());
    }
    shared.begin(new Caller("bob"), tiny, 5L << 20).close(); // the first one's room came back
  }

  @Test
  void sessionLimitsHoldExactlyAtTheLimitAndRefuseOnePast() throws Exception {
    // Two places in all, one per caller.
    SessionStore store = new SessionStore(dir, models, 2, 1, Duration.ofHours(1), 1, SessionStore.Disk.LOCAL);
    upload(store);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> begin(store, ALICE)), "alice past her one session");
    try (SessionStore.Upload u = store.begin(new Caller("bob"), tiny)) {
      u.addRelinearizationKey(relin, HeFormat.write(relin));
      u.commit();
    }
    assertEquals(2, store.sessions(), "at the limit of two sessions");
    ServiceException e = assertThrows(ServiceException.class, () -> begin(store, new Caller("carol")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(e.getMessage().contains("maximum of 2 sessions"), e.getMessage());
    assertEquals(1, store.list(ALICE).size());
    assertTrue(store.list(new Caller("carol")).isEmpty());
  }

  @Test
  void uploadsInProgressCountAgainstTheCallersShare() throws Exception {
    SessionStore store = new SessionStore(dir, models, 4, 1, Duration.ofHours(1), 1, SessionStore.Disk.LOCAL);
    try (SessionStore.Upload first = store.begin(ALICE, tiny)) {
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> begin(store, ALICE)), "one upload at a time for alice");
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
      String id = SessionStore.newId();
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
    assertEquals(Status.Code.NOT_FOUND, code(() -> restarted.keys(r.id(), ALICE, tiny)));
  }

  @Test
  void expiredSessionsAreGoneAndLimitsHold() throws Exception {
    SessionStore store = open(Duration.ofMillis(1));
    SessionRecord r = upload(store);
    Thread.sleep(5);
    assertEquals(Status.Code.NOT_FOUND, code(() -> store.keys(r.id(), ALICE, tiny)));
    assertFalse(Files.exists(dir.resolve(r.id())), "expired files deleted");
    SessionStore small = new SessionStore(dir.resolve("small"), models, 1, Duration.ofHours(1), 1);
    upload(small);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> {
      try {
        small.begin(ALICE, tiny);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    assertEquals(Status.Code.NOT_FOUND, code(() -> store.record("../" + "x".repeat(29), ALICE)));
  }
}
