package io.polyhe.cli.service;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.routing.Failover;
import io.polyhe.client.routing.ReplicaChannels;
import io.polyhe.server.session.LoopbackS3;
import io.polyhe.server.session.S3KeyStore;
import io.polyhe.server.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code soak --replicas N [--kill-one]}: N {@code polyhe serve} processes on loopback sharing one
 * S3 key store (S3Proxy in this process), driven by the soak's clients over one ring-hash channel
 * each ({@link ReplicaChannels}), every call retried on UNAVAILABLE at most N times ({@link
 * Failover}). With {@code --kill-one}, once a pass is running on some replica, that replica is
 * SIGKILLed mid-pass and restarted on its port; the pass is retried on the next replica of the ring,
 * which loads the session's keys from the store.
 *
 * <p>At the end the replicas are stopped and the store inspected: sessions and key files left, and
 * unfinished uploads (a replica killed mid-upload leaves one, which a live replica removes only
 * after the orphan age; here nothing runs any more, so they are removed at once and counted in
 * {@code store_leftovers_removed}). Adds to the soak's JSON: {@code replicas}, {@code killed},
 * {@code retries}, {@code sessions_moved} (sessions whose passes ran on a replica other than the
 * one that took their upload), {@code store} ({@code "s3"}), {@code store_objects_end}, {@code
 * store_leftovers_removed}. Heap figures are this driver's (clients and S3 server). Not thread-safe.
 */
final class ReplicaSoak {
  static final String PREFIX = "keys/";
  private final SoakCommand soak;
  private final AtomicInteger killed = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong maxResident = new java.util.concurrent.atomic.AtomicLong();

  ReplicaSoak(SoakCommand soak) {
    this.soak = soak;
  }

  int run(List<String> callers, int[][] prompts, int[][] expected) throws Exception {
    Path dir = Files.createTempDirectory("polyhe-soak-replicas-");
    try (LoopbackS3 s3 = new LoopbackS3(dir)) {
      Path cert = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      SelfSignedCertificate.generate(cert, key, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
      List<String> apiKeys = new ArrayList<>();
      StringBuilder keyFile = new StringBuilder();
      SecureRandom random = new SecureRandom();
      for (String caller : callers) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        String k = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        apiKeys.add(k);
        keyFile.append(caller).append(':').append(k).append('\n');
      }
      Path keysPath = dir.resolve("api-keys");
      Files.writeString(keysPath, keyFile);
      List<String> serve = new ArrayList<>(List.of("--model", soak.modelName, "--host", "127.0.0.1",
          "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--api-keys", keysPath.toString(),
          "--key-store", s3.location(PREFIX), "--s3-endpoint", s3.endpoint().toString(),
          "--s3-credentials-file", s3.credentials().toString(),
          // Every replica learns of every session: room for all of them, as one server would have.
          "--max-sessions", Integer.toString(2 * callers.size() + 2),
          "--cached-sessions", Integer.toString(soak.cachedSessions),
          "--max-concurrent", Integer.toString(soak.maxConcurrent), "--queue", Integer.toString(callers.size()),
          "--threads", Integer.toString(soak.threads)));
      if (soak.backend != null) {
        serve.addAll(List.of("--backend", soak.backend));
      }
      List<String> jvm = List.of("-Xmx" + soak.replicaHeapMb + "m", "--enable-native-access=ALL-UNNAMED",
          "--sun-misc-unsafe-memory-access=allow");
      S3KeyStore store = s3.store(PREFIX);
      long heapInitial = SoakCommand.heapAfterGc();
      try (ReplicaSet replicas = new ReplicaSet(dir, soak.replicas, jvm, serve)) {
        long t = System.nanoTime();
        replicas.startAll(600_000);
        System.out.printf("soak: %d replicas on ports %s started in %.1f s, sharing s3://%s/%s at %s%n",
            replicas.size(), replicas.addresses(), (System.nanoTime() - t) / 1e9, LoopbackS3.BUCKET, PREFIX,
            s3.endpoint());
        soak.tracker = new ReplicaTracker();
        // As many attempts as replicas: with one dead, the ring's next replica is at most that far.
        soak.failover = new Failover(soak.replicas, Duration.ofMillis(200));
        long heapStart = SoakCommand.heapAfterGc();
        long storeStart = bytes(store);
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (soak.minutes * 60e9);
        List<ManagedChannel> channels = new ArrayList<>();
        List<PolyheClient> drivers = new ArrayList<>();
        Thread killer = null;
        // The rounds begun before the deadline run to their end: passes may start after it.
        java.util.concurrent.atomic.AtomicBoolean driving = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
          for (int i = 0; i < callers.size(); i++) {
            ManagedChannel channel = ReplicaChannels.forAddresses(replicas.addresses(),
                TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).intercept(soak.tracker).build();
            channels.add(channel);
            PolyheClient.Builder b = PolyheClient.builder(channel).apiKey(apiKeys.get(i));
            SoakCommand.deadlines(b);
            drivers.add(b.build());
          }
          Thread sampler = Thread.ofPlatform().daemon().name("soak-rss").start(() -> sampleResident(replicas));
          if (soak.killOne) {
            killer = Thread.ofPlatform().name("soak-killer").start(() -> killOneMidPass(replicas, driving));
          }
          soak.drive(drivers, deadline, prompts, expected);
          driving.set(false);
          sampler.interrupt();
        } finally {
          if (killer != null) {
            driving.set(false);
            killer.join(); // a restart under way completes first
          }
          for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        replicas.close(); // graceful: what they leave now is what a stopped deployment leaves
        List<S3Object> left = store.listAll();
        long sessionsEnd = left.stream().filter(o -> o.key().endsWith("/" + "session.properties")).count();
        int leftovers = store.removeLeftovers(Duration.ZERO);
        long objectsEnd = store.listAll().size();
        long heapEnd = SoakCommand.heapAfterGc();
        JsonObject o = soak.summary(seconds, heapInitial, heapStart, heapEnd, storeStart, bytes(store), sessionsEnd);
        o.addProperty("replicas", soak.replicas);
        o.addProperty("killed", killed.get());
        o.addProperty("retries", soak.failover.retries());
        o.addProperty("sessions_moved", soak.tracker.sessionsMoved());
        o.addProperty("store", "s3");
        o.addProperty("store_objects_end", objectsEnd);
        o.addProperty("store_leftovers_removed", leftovers);
        o.addProperty("replica_resident_max_bytes", maxResident.get());
        System.out.printf("soak: %d replicas, %d killed, %d retries, %d sessions moved; store: %d sessions and %d "
            + "objects left, %d leftovers of interrupted uploads removed%n", soak.replicas, killed.get(),
            soak.failover.retries(), soak.tracker.sessionsMoved(), sessionsEnd, objectsEnd, leftovers);
        if (soak.json) {
          System.out.println(new Gson().toJson(o));
        }
        boolean ok = soak.passed() && objectsEnd == 0 && sessionsEnd == 0 && (!soak.killOne || killed.get() == 1);
        if (!ok) {
          keepLogs(dir);
        }
        return ok ? 0 : 3;
      }
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Waits until a pass runs on some replica, lets it get under way, kills that replica with SIGKILL
   * and restarts it. Gives up when the clients are done (then {@code killed} stays 0 and the soak
   * fails): not at the deadline, since a round begun before it may reach its pass only after it.
   */
  private void killOneMidPass(ReplicaSet replicas, java.util.concurrent.atomic.AtomicBoolean driving) {
    try {
      while (driving.get()) {
        for (int i = 0; i < replicas.size(); i++) {
          if (soak.tracker.passesRunning(replicas.port(i)) > 0) {
            Thread.sleep(500); // mid-pass, not at its first byte
            replicas.kill(i);
            killed.incrementAndGet();
            System.out.printf("soak: replica %d (port %d) killed with SIGKILL mid-pass; restarting it%n", i,
                replicas.port(i));
            long t = System.nanoTime();
            replicas.restart(i, 600_000);
            System.out.printf("soak: replica %d restarted in %.1f s%n", i, (System.nanoTime() - t) / 1e9);
            return;
          }
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.out.println("soak: restarting the killed replica failed: " + e.getMessage());
    }
  }

  /** Samples the replicas' resident memory every second, keeping the largest (for sizing pods). */
  private void sampleResident(ReplicaSet replicas) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        for (int i = 0; i < replicas.size(); i++) {
          maxResident.accumulateAndGet(replicas.residentBytes(i), Math::max);
        }
        Thread.sleep(1000);
      }
    } catch (InterruptedException e) {
      // the soak ended
    }
  }

  /** Copies the replicas' logs out of the directory about to be deleted, and says where. */
  private static void keepLogs(Path dir) throws java.io.IOException {
    Path keep = Files.createTempDirectory("polyhe-soak-replica-logs-");
    try (Stream<Path> logs = Files.list(dir)) {
      for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("replica-")).toList()) {
        Files.copy(log, keep.resolve(log.getFileName()));
      }
    }
    System.out.println("soak: the replicas' logs are kept in " + keep);
  }

  private static long bytes(S3KeyStore store) throws java.io.IOException {
    return store.listAll().stream().mapToLong(S3Object::size).sum();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
