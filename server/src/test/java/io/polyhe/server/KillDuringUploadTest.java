package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.ClientModel;
import io.polyhe.client.Keyring;
import io.polyhe.client.PartialUploads;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.ProgressListener;
import io.polyhe.client.SessionInfo;
import io.polyhe.server.auth.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server process killed (SIGKILL) in the middle of a key upload and restarted on the same key
 * store: the session being uploaded is absent, never partial; a session completed before the kill
 * is complete and served; one whose key file was damaged while the server was down is reported lost
 * (the {@code polyhe_sessions_lost} gauge) and NOT_FOUND; no temporary files remain.
 */
class KillDuringUploadTest {
  @TempDir Path dir;

  static ManagedChannel plaintext(int port) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
  }

  @Test
  void aKilledUploadLeavesNoSessionAndTheCompleteOneSurvives() throws Exception {
    Path store = dir.resolve("keys");
    SessionInfo complete;
    SessionInfo damaged;
    try (ChildServer child = ChildServer.start(store)) {
      ManagedChannel channel = plaintext(child.port);
      PolyheClient client = PolyheClient.builder(channel).build();
      ClientModel model = client.model("tiny");
      Keyring keyring = Keyring.generate(model);
      int[] elements = model.galoisElements();
      complete = PartialUploads.upload(client, keyring, Arrays.copyOf(elements, 2), ProgressListener.NONE);
      damaged = PartialUploads.upload(client, keyring, Arrays.copyOf(elements, 1), ProgressListener.NONE);
      // The third upload: kill -9 the server once three of its keys are on their way.
      var e = assertThrows(StatusRuntimeException.class, () -> PartialUploads.upload(client, keyring,
          Arrays.copyOf(elements, 8), (stage, done, total) -> {
            if (done == 3) {
              try {
                child.kill();
              } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
              }
            }
          }));
      assertFalse(child.process.isAlive());
      System.out.println("upload cut by the kill: " + e.getStatus().getCode());
      channel.shutdownNow();
    }
    try (Stream<Path> files = Files.list(store)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.contains(complete.id()), "the completed session is on disk: " + names.size());
      assertEquals(2, names.stream().filter(n -> !n.startsWith(".upload-")).count(), "no third session: " + names);
    }
    // While the server is down, a bit of one session's key file rots.
    Path rotten = store.resolve(damaged.id()).resolve("keys.bin");
    byte[] bytes = Files.readAllBytes(rotten);
    bytes[bytes.length / 2] ^= 4;
    Files.write(rotten, bytes);

    // Restart on the same store (in this JVM, as the child would): one session, complete; no leftovers.
    PolyheServer restarted = new PolyheServer(ServerConfig.builder().port(0).keyStore(store).build()).start();
    try {
      assertEquals(1, restarted.sessions().sessions());
      assertEquals(1, restarted.metrics().gaugeValue("polyhe_sessions_lost"), "the damaged session reported lost");
      var model = restarted.models().find("tiny").orElseThrow();
      var keys = restarted.sessions().keys(complete.id(), Caller.ANONYMOUS, model);
      assertEquals(2, keys.galoisKeys().size(), "the completed session loads whole");
      ManagedChannel channel = plaintext(restarted.port());
      List<SessionInfo> listed = PolyheClient.builder(channel).build().listSessions();
      assertEquals(List.of(complete.id()), listed.stream().map(SessionInfo::id).toList());
      var lost = assertThrows(StatusRuntimeException.class,
          () -> PolyheClient.builder(channel).build().deleteSession(damaged.id()));
      assertEquals(io.grpc.Status.Code.NOT_FOUND, lost.getStatus().getCode());
      channel.shutdownNow();
      try (Stream<Path> files = Files.list(store)) {
        assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".upload-")), "temporary files removed");
      }
    } finally {
      restarted.stop(Duration.ofSeconds(1));
    }
  }
}
