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
 * The failover soak, as short as it can be: 3 replica processes sharing an S3 server on loopback,
 * 1 client, 1 round (upload, pass, delete); one replica is SIGKILLed during the pass and
 * restarted. Every request must complete (the killed pass retried on another replica), with right
 * answers, and the store must end empty.
 *
 * <p>Behind {@code -Pheavy}: three JVMs loading {@code tiny}, a key generation, an upload and two
 * passes take 2 to 4 minutes on a 2-core machine, beyond the default suite's budget. The default
 * suite covers its parts faster: {@code S3KeyStoreTest} (two session stores as replicas on a real
 * S3 server) and the client SDK's {@code ReplicaRoutingTest} (ring hash and failover over three
 * real gRPC servers).
 */
class ReplicaSoakTest {
  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void aPassKilledWithItsReplicaIsRetriedElsewhereAndNothingIsLeftInTheStore() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      code = new CommandLine(new SoakCommand()).execute("--replicas", "3", "--kill-one", "--minutes", "10",
          "--clients", "1", "--max-requests", "1", "--replica-heap-mb", "3072", "--json");
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
    assertEquals(3, json.get("completed").getAsLong(), "upload, inference, deletion");
    assertTrue(json.get("retries").getAsLong() >= 1, "the killed pass was retried");
    assertTrue(json.get("sessions_moved").getAsLong() >= 1, "the killed pass's session moved");
    assertEquals(0, json.get("sessions_end").getAsLong());
    assertEquals(0, json.get("store_objects_end").getAsLong(), "nothing left in the store");
    assertEquals(0, json.get("key_store_bytes_end").getAsLong());
  }
}
