package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.client.Generation;
import io.polyhe.client.InferenceResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static InferenceResult pass(double seconds, double serverSeconds) {
    var b = BreakdownsTest.pass(0.1, 0.1);
    var breakdown = new io.polyhe.client.LatencyBreakdown(serverSeconds, b.components(), b.layers(), b.primitives(),
        b.refresh(), b.spans());
    return new InferenceResult(new double[][] {{0, 1}}, breakdown, 0, 0, 0, seconds);
  }

  @Test
  void laterTokenRatioIsTheMedianOfTheLaterTokensOverTheFirst() {
    assertEquals(0.5, Report.laterTokenRatio(new double[] {4, 2}), 1e-12);
    assertEquals(0.75, Report.laterTokenRatio(new double[] {4, 9, 3, 1}), 1e-12); // median of 9, 3, 1
    assertEquals(0.625, Report.laterTokenRatio(new double[] {4, 1, 2, 3, 9}), 1e-12); // (2 + 3) / 2
    assertThrows(IllegalArgumentException.class, () -> Report.laterTokenRatio(new double[] {4}));
  }

  @Test
  void jsonCarriesEachTokensSecondsInOrder() throws Exception {
    Generation g = new Generation("12", new int[] {1, 1, 1}, List.of(pass(3, 2.5), pass(2, 1.5), pass(1, 0.5)), 6);
    Map<String, Object> out = Report.print("p", g, null, 6, 0, null, false);
    assertArrayEquals(new double[] {3, 2, 1}, (double[]) out.get("token_seconds"));
    assertArrayEquals(new double[] {2.5, 1.5, 0.5}, (double[]) out.get("token_server_seconds"));
    assertEquals(0.5, (double) out.get("later_token_ratio"), 1e-12);

    Map<String, Object> one = Report.print("p", new Generation("1", new int[] {1}, List.of(pass(3, 2.5)), 3), null, 3,
        0, null, false);
    assertArrayEquals(new double[] {3}, (double[]) one.get("token_seconds"));
    assertFalse(one.containsKey("later_token_ratio"), "no ratio from one token");
  }
}
