package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A short soak in the default suite: two clients, two upload → infer → delete rounds against the
 * real server over loopback TLS. Asserts the JSON contract, no wrong answers, no errors, nothing
 * left in the key store, and that the heap retained after a full GC grew by at most {@link
 * #RETAINED_GROWTH_BOUND} bytes across the run. The bound: one leaked session of tiny keeps ~1.2 GB
 * of parsed keys (or ~0.8 GB for an upload never committed) and one leaked key ~25 MB; 64 MiB is far
 * below the first two and leaves room for caches that fill once (class data, gRPC and TLS state).
 */
class SoakCommandTest {
  static final long RETAINED_GROWTH_BOUND = 64L << 20;

  @Test
  void aShortSoakHasNoWrongAnswersNoErrorsAndNoRetainedGrowth() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      code = new CommandLine(new SoakCommand()).execute("--minutes", "3", "--clients", "2", "--max-requests", "2",
          "--json");
    } finally {
      System.setOut(saved);
    }
    String text = bytes.toString(StandardCharsets.UTF_8).strip();
    System.out.println(text);
    String[] lines = text.split("\n");
    assertEquals(0, code, text);
    JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    for (String field : new String[] {"completed", "wrong", "errors", "p50_ms", "p99_ms", "errors_by_status",
        "heap_start_bytes", "heap_end_bytes", "key_store_bytes_start", "key_store_bytes_end"}) {
      assertTrue(json.has(field), "missing " + field);
    }
    assertEquals(0, json.get("wrong").getAsLong());
    assertEquals(0, json.get("errors").getAsLong());
    assertEquals(2, json.get("inferences").getAsLong(), "the request bound stops the run");
    assertEquals(6, json.get("completed").getAsLong(), "2 x (upload, inference, deletion)");
    assertTrue(json.get("p99_ms").getAsDouble() >= json.get("p50_ms").getAsDouble());
    assertEquals(0, json.get("key_store_bytes_end").getAsLong(), "every session deleted, nothing half-written");
    assertEquals(0, json.get("sessions_end").getAsLong());
    long growth = json.get("heap_end_bytes").getAsLong() - json.get("heap_start_bytes").getAsLong();
    assertTrue(growth <= RETAINED_GROWTH_BOUND, "retained heap grew by " + growth + " bytes");
  }
}
