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
  void aDamagedKeyFileIsAFailedPreconditionNotGarbage() throws Exception {
    SessionRecord r = upload(open(Duration.ofHours(1)));
    Path keysFile = dir.resolve(r.id()).resolve("keys.bin");
    byte[] b = Files.readAllBytes(keysFile);
    // The last byte is in the Galois key's seed: the key still parses, only the checksum can tell.
    b[b.length - 1] ^= 1;
    Files.write(keysFile, b);
    SessionStore restarted = open(Duration.ofHours(1));
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> restarted.keys(r.id(), ALICE, tiny)));
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
