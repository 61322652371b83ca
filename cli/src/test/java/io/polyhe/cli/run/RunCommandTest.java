package io.polyhe.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's main job, {@code polyhe run}, end to end on the Java backend: one encrypted pass of
 * the shipped tiny model, the JSON contract of the last stdout line, the profile files.
 */
class RunCommandTest {

  @Test
  void runPrintsTheAnswerAndTheJsonContract(@TempDir Path profile) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      code = new CommandLine(new RunCommand()).execute("--prompt", "^S31=", "--tokens", "1", "--json",
          "--backend", "java", "--profile-out", profile.toString());
    } finally {
      System.setOut(saved);
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(0, code, String.join("\n", lines));
    JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    for (String field : new String[] {"answer", "reference_answer", "max_abs_logit_err", "logit_mse",
        "top1_agreement", "refreshes", "seconds", "breakdown"}) {
      assertTrue(json.has(field), "missing " + field);
    }
    assertEquals("1", json.get("answer").getAsString(), "sorting 3,1 starts with 1");
    assertEquals(json.get("reference_answer").getAsString(), json.get("answer").getAsString());
    assertEquals(10, json.get("refreshes").getAsInt());
    assertTrue(json.get("logit_mse").getAsDouble() <= 1e-3);
    assertEquals(1.0, json.get("top1_agreement").getAsDouble());
    assertTrue(json.getAsJsonObject("breakdown").get("plain-matmul").getAsDouble() > 0);
    for (String file : new String[] {"breakdown.json", "trace.json", "breakdown.html"}) {
      assertTrue(Files.size(profile.resolve(file)) > 0, file);
    }
  }
}
