package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import picocli.CommandLine;

/**
 * The failover soak: 3 replica processes sharing an S3 server on loopback; one replica is
 * SIGKILLed during a pass and restarted. Every request must complete (the killed pass retried on
 * another replica), with right answers, and the store must end empty.
 *
 * <p>The short version runs in the default suite: 1 client, 1 round (upload, pass, delete), the
 * smallest shipped model ({@code tiny}), one token, a heap that holds one session's keys (3 GiB). Its cost is
 * fixed by what a failover is: three JVMs loading the model (plus the restart), one key generation
 * and upload, the killed part of a pass and the whole retried one. The long version (behind {@code
 * -Pheavy}) runs 2 clients for several rounds, so passes on other replicas go on while one dies.
 */
class ReplicaSoakTest {
  /** Runs {@code soak} with {@code args} and returns its JSON, after checking what every soak must end with. */
  static JsonObject soak(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      code = new CommandLine(new SoakCommand()).execute(args);
    } finally {
      System.setOut(saved);
    }
    String text = bytes.toString(StandardCharsets.UTF_8).strip();
    System.out.println(text);
    String[] lines = text.split("\n");
    assertEquals(0, code, text);
    JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    for (String field : new String[] {"completed", "wrong", "errors", "p50_ms", "p99_ms", "errors_by_status",
        "heap_start_bytes", "heap_end_bytes", "key_store_bytes_start", "key_store_bytes_end", "replicas", "killed",
        "retries", "sessions_moved", "store"}) {
      assertTrue(json.has(field), "missing " + field);
    }
    assertEquals(3, json.get("replicas").getAsInt());
    assertEquals(1, json.get("killed").getAsInt());
    assertEquals("s3", json.get("store").getAsString());
    assertEquals(0, json.get("wrong").getAsLong());
    assertEquals(0, json.get("errors").getAsLong(), "every request completed, retried if need be");
    assertTrue(json.get("retries").getAsLong() >= 1, "the killed pass was retried");
    assertTrue(json.get("sessions_moved").getAsLong() >= 1, "the killed pass's session moved");
    assertEquals(0, json.get("sessions_end").getAsLong());
    assertEquals(0, json.get("store_objects_end").getAsLong(), "nothing left in the store");
    assertEquals(0, json.get("key_store_bytes_end").getAsLong());
    return json;
  }

  @Test
  void aPassKilledWithItsReplicaIsRetriedElsewhereAndNothingIsLeftInTheStore() {
    JsonObject json = soak("--replicas", "3", "--kill-one", "--minutes", "10", "--clients", "1", "--max-requests", "1",
        "--replica-heap-mb", "3072", "--json");
    assertEquals(3, json.get("completed").getAsLong(), "upload, inference, deletion");
  }

  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void twoClientsForSeveralRoundsSurviveAKilledReplica() {
    // The default 5 GiB replicas: two clients' keys may be in one replica at once (docs/decisions.md).
    JsonObject json = soak("--replicas", "3", "--kill-one", "--minutes", "10", "--clients", "2", "--max-requests", "6",
        "--json");
    assertEquals(18, json.get("completed").getAsLong(), "6 uploads, inferences and deletions");
  }
}
