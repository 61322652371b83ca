package io.polyhe.server.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 key store against a real S3 server (S3Proxy, filesystem back end) on loopback: the
 * {@link KeyStore} promises (whole or absent, verified on load, no leftovers, full or failing), and
 * two {@link SessionStore}s sharing one bucket as two replicas would.
 */
class S3KeyStoreTest {
  @TempDir static Path dir;
  static LoopbackS3 server;
  static S3Client client;
  static int prefixes;

  @BeforeAll
  static void start() throws Exception {
    server = new LoopbackS3(dir);
    client = S3KeyStore.client(server.settings(""));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  static S3KeyStore store() {
    return new S3KeyStore(client, server.settings("t" + ++prefixes + "/"));
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static SessionRecord record(String id, KeyStore.Checksum sum) {
    return new SessionRecord(id, new Caller("alice"), "tiny", 1, Long.MAX_VALUE, List.of(5, 25), true, sum.bytes(),
        sum.sha256());
  }

  /** Writes {@code data} in uneven chunks (so parts fill across writes) and finishes. */
  static KeyStore.Checksum writeAll(KeyStore.PendingKeys p, byte[] data) throws IOException {
    for (int off = 0; off < data.length; off += 3_000_001) {
      p.write(Arrays.copyOfRange(data, off, Math.min(data.length, off + 3_000_001)));
    }
    return p.finish();
  }

  static byte[] readAll(KeyStore s, SessionRecord r) throws IOException {
    try (InputStream in = s.read(r)) {
      return in.readAllBytes();
    }
  }

  @Test
  void aSessionIsVisibleOnlyWhenCommittedAndReadsBackVerified() throws Exception {
    S3KeyStore s = store();
    String id = SessionIds.newId();
    byte[] data = bytes(2 * S3KeyStore.PART_BYTES + 12345, 1); // three parts, the last one short
    SessionRecord r;
    try (KeyStore.PendingKeys p = s.create(id)) {
      KeyStore.Checksum sum = writeAll(p, data);
      assertEquals(data.length, sum.bytes());
      r = record(id, sum);
      assertEquals(Optional.empty(), s.find(id), "a finished key file without description is no session");
      assertFalse(s.ids().contains(id));
      assertThrows(IllegalArgumentException.class, () -> p.commit(record(SessionIds.newId(), sum)));
      p.commit(r);
    }
    assertEquals(Optional.of(r), s.find(id));
    assertEquals(java.util.Set.of(id), s.ids());
    assertArrayEquals(data, readAll(s, r));
    KeyStore.Inventory inv = s.open(m -> true);
    assertEquals(List.of(r), inv.sessions());
    assertEquals(0, inv.lost());
    s.delete(id);
    assertEquals(Optional.empty(), s.find(id));
    assertTrue(s.listAll().isEmpty(), "deletion leaves nothing");
  }

  @Test
  void closingBeforeCommitLeavesNothing() throws Exception {
    S3KeyStore s = store();
    try (KeyStore.PendingKeys p = s.create(SessionIds.newId())) {
      p.write(bytes(S3KeyStore.PART_BYTES + 10, 2)); // one part uploaded, the rest buffered
    }
    try (KeyStore.PendingKeys p = s.create(SessionIds.newId())) {
      writeAll(p, bytes(100, 3)); // completed, never described
    }
    assertTrue(s.listAll().isEmpty());
    assertEquals(0, s.unfinishedUploads(), "the unfinished multipart upload was aborted");
  }

  @Test
  void damagedKeyFilesAreNeverServed() throws Exception {
    S3KeyStore s = store();
    String id = SessionIds.newId();
    byte[] data = bytes(1000, 4);
    SessionRecord r;
    try (KeyStore.PendingKeys p = s.create(id)) {
      r = record(id, writeAll(p, data));
      p.commit(r);
    }
    // The same size, one byte changed: only the checksum can tell.
    data[500] ^= 1;
    String key = s.settings().prefix() + id + "/" + S3KeyStore.KEYS;
    client.putObject(b -> b.bucket(LoopbackS3.BUCKET).key(key), RequestBody.fromBytes(data));
    assertEquals("key file checksum mismatch",
        assertThrows(DamagedFileException.class, () -> readAll(s, r)).getMessage());
    // Another size: found at start, reported lost and removed.
    client.putObject(b -> b.bucket(LoopbackS3.BUCKET).key(key), RequestBody.fromBytes(new byte[10]));
    KeyStore.Inventory inv = s.open(m -> true);
    assertEquals(List.of(), inv.sessions());
    assertEquals(1, inv.lost());
    assertTrue(s.listAll().isEmpty());
  }

  @Test
  void uploadsOfADeadReplicaAreRemovedOnceOlderThanTheOrphanAge() throws Exception {
    S3KeyStore s = store();
    KeyStore.PendingKeys dead = s.create(SessionIds.newId());
    dead.write(bytes(S3KeyStore.PART_BYTES, 5)); // a part stored, then the process "dies"
    String orphan = SessionIds.newId();
    KeyStore.PendingKeys crashed = s.create(orphan);
    writeAll(crashed, bytes(10, 6)); // completed, died before the description
    assertEquals(List.of(), s.open(m -> true).sessions());
    assertEquals(1, s.unfinishedUploads(), "younger than the orphan age: maybe another replica's upload");
    assertEquals(1, s.listAll().size(), s.listAll().toString());
    assertEquals(2, s.removeLeftovers(Duration.ZERO));
    assertEquals(0, s.unfinishedUploads());
    assertTrue(s.listAll().isEmpty());
  }

  @Test
  void anUnreachableStoreAnswersUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    S3Settings nowhere = new S3Settings(LoopbackS3.BUCKET, "", Optional.of(URI.create("http://127.0.0.1:" + closedPort)),
        Optional.empty(), Optional.of(server.credentials()), Duration.ofHours(1));
    try (S3Client c = S3KeyStore.client(nowhere)) {
      S3KeyStore s = new S3KeyStore(c, nowhere);
      KeyStoreUnavailableException e = assertThrows(KeyStoreUnavailableException.class,
          () -> s.create(SessionIds.newId()));
      assertEquals("the key store (S3) cannot be reached now; retry later", e.getMessage());
      assertThrows(KeyStoreUnavailableException.class, () -> s.find(SessionIds.newId()));
    }
  }

  @Test
  void aFullStoreAnswersResourceExhaustedAndOtherErrorsStayFaults() {
    S3Exception full = (S3Exception) S3Exception.builder().statusCode(507)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("XMinioStorageFull").build()).build();
    assertThrows(KeyStoreFullException.class, () -> S3Failures.translate(full, "uploading a key file"));
    S3Exception quota = (S3Exception) S3Exception.builder().statusCode(403)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("QuotaExceeded").build()).build();
    assertEquals(S3Failures.Kind.FULL, S3Failures.kind(quota));
    S3Exception denied = (S3Exception) S3Exception.builder().statusCode(403)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").build()).build();
    assertEquals(S3Failures.Kind.FAULT, S3Failures.kind(denied));
    S3Exception slowDown = (S3Exception) S3Exception.builder().statusCode(503).build();
    assertEquals(S3Failures.Kind.UNAVAILABLE, S3Failures.kind(slowDown));
  }

  @Test
  void replicasSharingTheStoreServeEachOthersSessionsAndNotDeletedOnes() throws Exception {
    ModelRegistry models = ModelRegistry.load(List.of("tiny"), ComputeBackends.best(ComputeBackends.defaultThreads()));
    ServedModel tiny = models.find("tiny").orElseThrow();
    KeyGenerator gen = new KeyGenerator(tiny.context().rlwe(), SeedSource.secure());
    SecretKey sk = gen.generateSecretKey();
    RelinearizationKey relin = gen.generateRelinearizationKey(sk);
    GaloisKey galois = gen.generateGaloisKey(sk, tiny.galoisElements().iterator().next());
    S3Settings shared = server.settings("replicas/");
    Caller alice = new Caller("alice");
    try (S3Client ca = S3KeyStore.client(shared); S3Client cb = S3KeyStore.client(shared)) {
      SessionStore a = new SessionStore(new S3KeyStore(ca, shared), models, 4, 4, Duration.ofHours(1), 1);
      SessionStore b = new SessionStore(new S3KeyStore(cb, shared), models, 4, 4, Duration.ofHours(1), 1);
      SessionRecord r;
      try (SessionStore.Upload u = a.begin(alice, tiny)) {
        u.addRelinearizationKey(relin, HeFormat.write(relin));
        u.addGaloisKey(galois, HeFormat.write(galois));
        r = u.commit();
      }
      assertEquals(0, b.sessions(), "b has not seen it yet");
      // Any replica serves any session: b loads it from the shared store on first use.
      assertEquals(0, b.keyLoads());
      EvaluationKeys k = b.keys(r.id(), alice, tiny);
      assertTrue(k.galoisKey(galois.galoisElement()).isPresent());
      assertEquals(1, b.cachedSessions());
      b.keys(r.id(), alice, tiny);
      assertEquals(1, b.keyLoads(), "loaded once from S3, then from the cache");
      assertEquals(r.bytes(), b.keyLoadBytes());
      assertThrows(SessionNotFoundException.class, () -> b.keys(r.id(), new Caller("mallory"), tiny));
      // Deleted on a: b, which holds the keys in its cache, serves it no more.
      a.delete(r.id(), alice);
      assertEquals("no such session",
          assertThrows(SessionNotFoundException.class, () -> b.keys(r.id(), alice, tiny)).getMessage());
      assertEquals(0, b.cachedSessions());
      assertEquals(0, b.sessions());
      // Uploaded on b, learned by a's sweep; nothing is left in the store once deleted.
      SessionRecord r2;
      try (SessionStore.Upload u = b.begin(alice, tiny)) {
        u.addRelinearizationKey(relin, HeFormat.write(relin));
        r2 = u.commit();
      }
      a.synchronize();
      assertEquals(List.of(r2), a.list(alice));
      b.delete(r2.id(), alice);
      a.synchronize();
      assertEquals(List.of(), a.list(alice));
      assertTrue(new S3KeyStore(ca, shared).listAll().isEmpty());
      // Expired on a replica that then died (its sweeper never ran): another one deletes it.
      SessionStore shortLived = new SessionStore(new S3KeyStore(ca, shared), models, 4, 4, Duration.ofMillis(1), 1);
      try (SessionStore.Upload u = shortLived.begin(alice, tiny)) {
        u.addRelinearizationKey(relin, HeFormat.write(relin));
        u.commit();
      }
      Thread.sleep(5);
      long expiredBefore = b.expiredSessions();
      b.synchronize();
      assertEquals(expiredBefore + 1, b.expiredSessions());
      assertTrue(new S3KeyStore(ca, shared).listAll().isEmpty(), "the expired session's objects are gone");
    }
  }

}
