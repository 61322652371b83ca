package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.List;

/**
 * One forward pass in progress over the rows of a prompt, held by {@link #tiles()} ciphertexts:
 * the arithmetic it runs on (real or simulated), the row plaintexts of each ciphertext, the refresh
 * points and the latency recorder. Blocks read these from here instead of taking them one by one.
 *
 * <p>Single-use and not thread-safe: refresh points and spans are recorded in pass order.
 *
 * @param <C> the ciphertext type
 */
final class Pass<C> {
  private final Arithmetic<C> ar;
  private final List<RowPlaintexts> rows;
  private final RefreshPoints<C> refresh;
  private final LatencyRecorder recorder;

  /**
   * @param rows the row plaintexts of each ciphertext of the pass, in order
   */
  Pass(Arithmetic<C> ar, List<RowPlaintexts> rows, RefreshPoints<C> refresh, LatencyRecorder recorder) {
    this.ar = ar;
    this.rows = List.copyOf(rows);
    this.refresh = refresh;
    this.recorder = recorder;
  }

  Arithmetic<C> ar() {
    return ar;
  }

  /** Ciphertexts the rows take. */
  int tiles() {
    return rows.size();
  }

  /** The row plaintexts of ciphertext {@code tile}. */
  RowPlaintexts rows(int tile) {
    return rows.get(tile);
  }

  /**
   * @throws IllegalArgumentException unless {@code values} holds one ciphertext per tile
   */
  void requireTiles(List<?> values, int tokens) {
    if (values.size() != tiles()) {
      throw new IllegalArgumentException(tokens + " rows take " + tiles() + " ciphertexts, got " + values.size());
    }
  }

  /** A span of {@code component} under {@code layer}, closed by try-with-resources. */
  LatencyRecorder.OpenSpan span(String layer, Component component) {
    return recorder.span(layer, component);
  }

  /** {@link RefreshPoints#ensure} on this pass's arithmetic. */
  C ensure(C value, int needed, int refreshLevel, double refreshScale, String where) {
    return refresh.ensure(ar, value, needed, refreshLevel, refreshScale, where);
  }

  /** {@code name}, naming ciphertext {@code tile} only when the rows take several. */
  String where(String name, int tile) {
    return tiles() == 1 ? name : name + " (ciphertext " + tile + ")";
  }
}
