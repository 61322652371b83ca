package io.polyhe.cli.service;

import com.google.gson.GsonBuilder;
import io.polyhe.client.Generation;
import io.polyhe.client.InferenceResult;
import io.polyhe.client.LatencyBreakdown.RefreshTime;
import io.polyhe.models.profile.LatencyBreakdown;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code infer} and {@code demo} print: the answer, the breakdown, and the JSON line. */
final class Report {
  private Report() {}

  /**
   * Prints the report; {@code reference} (the poly-plain answer) only for the demo. Returns the
   * JSON object that was (with {@code json}) printed last.
   */
  static Map<String, Object> print(String prompt, Generation g, String reference, double seconds, long keyBytes,
      Path profileOut, boolean json) throws IOException {
    return print(prompt, g, reference, null, Map.of(), seconds, keyBytes, profileOut, json);
  }

  /**
   * As above; {@code expected} (a task's correct answer, or null) is printed beside the encrypted
   * answer, and {@code extra} fields join the JSON object after the answers.
   */
  static Map<String, Object> print(String prompt, Generation g, String reference, String expected,
      Map<String, Object> extra, double seconds, long keyBytes, Path profileOut, boolean json) throws IOException {
    var passes = g.passes().stream().map(InferenceResult::breakdown).toList();
    LatencyBreakdown breakdown = Breakdowns.merge(passes);
    RefreshTime refresh = Breakdowns.refresh(passes);
    System.out.printf("%nprompt            %s%n", prompt);
    System.out.printf("encrypted answer  %s%n", g.text());
    if (reference != null) {
      System.out.printf("poly-plain answer %s%s%n", reference, reference.equals(g.text()) ? "  (identical)" : "  (DIFFERENT)");
    }
    if (expected != null) {
      System.out.printf("expected answer   %s%s%n", expected,
          expected.equals(g.text()) ? "  (correct)" : "  (WRONG: the model does not solve this prompt)");
    }
    System.out.printf("%d pass(es), %.1f s in all (%.1f s generating), %d refreshes; evaluation keys up %.1f MB, "
        + "ciphertexts up %.1f MB, down %.1f MB%n%n", g.passes().size(), seconds, g.seconds(), g.refreshes(),
        keyBytes / 1e6, g.bytesUp() / 1e6, g.bytesDown() / 1e6);
    double[] tokenSeconds = g.passes().stream().mapToDouble(InferenceResult::seconds).toArray();
    double[] tokenServerSeconds = g.passes().stream().mapToDouble(p -> p.breakdown().totalSeconds()).toArray();
    // The server's own work per pass: its time less the waits for the client's refresh answers,
    // comparable with a local run's pass_compute_seconds (issue 18's served/local check).
    double[] tokenComputeSeconds = g.passes().stream()
        .mapToDouble(p -> p.breakdown().totalSeconds() - p.breakdown().refresh().serverWaitSeconds()).toArray();
    System.out.println(tokenLine(tokenSeconds));
    System.out.println("where the server's time went:");
    System.out.print(breakdown.toTable());
    System.out.println(Breakdowns.refreshLine(refresh,
        breakdown.secondsByComponent().get(io.polyhe.models.profile.Component.BOOTSTRAP)));
    if (profileOut != null) {
      breakdown.writeProfile(profileOut);
      System.out.println("profile written to " + profileOut.toAbsolutePath() + " (breakdown.json, trace.json, breakdown.html)");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("answer", g.text());
    if (reference != null) {
      out.put("reference_answer", reference);
      out.put("agree", reference.equals(g.text()));
    }
    out.putAll(extra);
    out.put("seconds", seconds);
    out.put("generation_seconds", g.seconds());
    out.put("passes", g.passes().size());
    out.put("token_seconds", tokenSeconds);
    out.put("token_server_seconds", tokenServerSeconds);
    out.put("token_server_compute_seconds", tokenComputeSeconds);
    if (tokenSeconds.length > 1) {
      out.put("later_token_ratio", laterTokenRatio(tokenSeconds));
    }
    out.put("refreshes", g.refreshes());
    out.put("bytes_up", keyBytes + g.bytesUp());
    out.put("bytes_down", g.bytesDown());
    out.put("key_bytes", keyBytes);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("total_seconds", breakdown.totalSeconds());
    b.put("components", breakdown.secondsByComponentLabel());
    b.put("primitives", breakdown.secondsByPrimitiveName());
    b.put("refresh_server_wait_seconds", refresh.serverWaitSeconds());
    b.put("refresh_client_seconds", refresh.clientSeconds());
    out.put("breakdown", b);
    if (json) {
      System.out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
          .toJson(out));
    }
    return out;
  }

  /**
   * The median time of the tokens after the first over the first's: each token is one pass over
   * the whole sequence, so this is what incremental generation would have to bring down.
   *
   * @throws IllegalArgumentException for fewer than two tokens
   */
  static double laterTokenRatio(double[] tokenSeconds) {
    if (tokenSeconds.length < 2) {
      throw new IllegalArgumentException("a ratio needs at least two tokens, got " + tokenSeconds.length);
    }
    double[] later = Arrays.copyOfRange(tokenSeconds, 1, tokenSeconds.length);
    Arrays.sort(later);
    int m = later.length / 2;
    double median = later.length % 2 == 1 ? later[m] : (later[m - 1] + later[m]) / 2;
    return median / tokenSeconds[0];
  }

  /** One line: each token's wall seconds (one pass each) and, from two tokens on, {@link #laterTokenRatio}. */
  static String tokenLine(double[] tokenSeconds) {
    StringBuilder sb = new StringBuilder("seconds per token (one pass each):");
    for (double s : tokenSeconds) {
      sb.append(String.format(" %.2f", s));
    }
    if (tokenSeconds.length > 1) {
      sb.append(String.format("; later tokens / first: %.2f (median)", laterTokenRatio(tokenSeconds)));
    }
    return sb.toString();
  }
}
