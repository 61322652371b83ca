package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.InferenceResult;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.ProgressListener;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions expiring while forward passes run: a pass that holds its keys finishes correctly, one
 * whose session expired before it ran fails cleanly with NOT_FOUND, and afterwards every session is
 * NOT_FOUND and nothing is left in memory or on disk.
 */
class SessionExpiryTest {
  static final Duration TTL = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void sessionsExpireWhilePassesRunAndLeaveNothingBehind() throws Exception {
    Transformer transformer = ShippedModels.load("tiny");
    TaskTokenizer tokenizer = new TaskTokenizer(transformer.config().tokenizer());
    int[] prompt = tokenizer.encode("^S31=");
    int expected = GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, prompt, 1, tokenizer.eos())[0];
    try (TestServer server = TestServer.start(dir, b -> b.sessionTtl(TTL).maxConcurrent(1).maxQueued(3)
        .maxPlacesPerCaller(4).refreshTimeout(TTL.multipliedBy(3)))) {
      ManagedChannel channel = server.channel();
      PolyheClient alice = TestServer.client(channel, TestServer.ALICE_KEY);
      ClientModel model = alice.model("tiny");
      Keyring keyring = Keyring.generate(model);
      ClientSession first = alice.openSession(keyring);
      ClientSession second = alice.openSession(keyring);
      long firstExpires = first.expiresAt().orElseThrow().toEpochMilli();
      long secondExpires = second.expiresAt().orElseThrow().toEpochMilli();
      // The latest session first (it has the most time left), then both again: one pass at a time, so
      // the later passes start after, or run across, the expiry of their session.
      List<ClientSession> order = List.of(second, first, second, first);
      ExecutorService pool = Executors.newFixedThreadPool(order.size());
      List<Future<Object>> results = new ArrayList<>();
      long[] ends = new long[order.size()];
      // The first pass holds the only worker across the first session's expiry, whatever the speed
      // of the backend: at its first refresh the client answers only after that session expired.
      ProgressListener holdAcrossExpiry = (stage, done, total) -> {
        long wait = firstExpires + 500 - System.currentTimeMillis();
        if (stage == ProgressListener.Stage.FORWARD_PASS && wait > 0) {
          try {
            Thread.sleep(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      for (int i = 0; i < order.size(); i++) {
        ClientSession session = order.get(i);
        int slot = i;
        ProgressListener listener = i == 0 ? holdAcrossExpiry : ProgressListener.NONE;
        results.add(pool.submit(() -> {
          try {
            return session.infer(prompt, listener);
          } catch (StatusRuntimeException e) {
            return e.getStatus();
          } finally {
            ends[slot] = System.currentTimeMillis();
          }
        }));
        Thread.sleep(200); // admitted in this order
      }
      int completed = 0;
      int notFound = 0;
      for (Future<Object> f : results) {
        Object r = f.get();
        if (r instanceof InferenceResult res) {
          assertEquals(expected, res.nextToken(), "a pass that ran is correct");
          completed++;
        } else {
          assertEquals(Status.Code.NOT_FOUND, ((Status) r).getCode(), "failed cleanly: " + r);
          notFound++;
        }
      }
      pool.shutdown();
      long lastEnd = java.util.Arrays.stream(ends).max().orElseThrow();
      System.out.printf("expiry: %d passes completed, %d NOT_FOUND; first session expired %.1f s before the last "
          + "pass ended%n", completed, notFound, (lastEnd - firstExpires) / 1e3);
      assertTrue(completed >= 1, "the pass on the live session completed");
      assertTrue(notFound >= 1, "a pass on the expired session failed cleanly");
      assertTrue(firstExpires < lastEnd, "a session expired while passes were running");

      // Past every expiry the sweeper removes both sessions, with nobody touching them.
      long end = secondExpires + TTL.toMillis();
      while (server.server.sessions().sessions() > 0 && System.currentTimeMillis() < end) {
        Thread.sleep(100);
      }
      assertEquals(0, server.server.sessions().sessions());
      assertEquals(2, server.server.sessions().expiredSessions());
      assertEquals(0, server.server.sessions().cachedSessions(), "no keys left in memory");
      assertEquals(0, server.server.runningInferences());
      assertEquals(0, server.server.activeInferCalls());
      try (Stream<Path> files = Files.list(server.keyStore)) {
        assertEquals(0, files.count(), "no key files left");
      }
      assertTrue(alice.listSessions().isEmpty());
      for (ClientSession s : List.of(first, second)) {
        Status st = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(20))
            .start(s.id(), "tiny", prompt.length).awaitStatus(20);
        assertEquals(Status.Code.NOT_FOUND, st.getCode());
      }
      channel.shutdownNow();
    }
  }
}
