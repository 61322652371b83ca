package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SlotLayoutTest {

  @Test
  void packsRowMajorWithPowerOfTwoStrideAndRoundTrips() {
    SlotLayout layout = SlotLayout.rowMajor(32, 64, 4096);
    assertEquals(64, layout.rowStride());
    assertEquals(40, SlotLayout.rowMajor(2, 40, 256).width());
    assertEquals(64, SlotLayout.rowMajor(2, 40, 256).rowStride());
    assertEquals(1, SlotLayout.rowMajor(3, 1, 8).rowStride());
    double[][] rows = new double[3][64];
    for (int t = 0; t < 3; t++) {
      for (int j = 0; j < 64; j++) {
        rows[t][j] = t * 100 + j;
      }
    }
    double[] slots = layout.pack(rows);
    assertEquals(4096, slots.length);
    assertEquals(205, slots[layout.slot(2, 5)]);
    assertEquals(0, slots[3 * 64]); // rows not given stay zero
    double[][] back = layout.unpack(slots, 3);
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(rows[t], back[t]);
    }
    assertEquals(layout, SlotLayout.fromJson(layout.toJson()));
  }

  @Test
  void rejectsInconsistentLayoutsAndInputs() {
    assertThrows(IllegalArgumentException.class, () -> new SlotLayout(4, 10, 12, 64)); // stride not 2^k
    assertThrows(IllegalArgumentException.class, () -> new SlotLayout(4, 10, 8, 64)); // stride < width
    assertThrows(IllegalArgumentException.class, () -> new SlotLayout(9, 8, 8, 64)); // does not fit
    SlotLayout layout = new SlotLayout(4, 8, 8, 64);
    assertThrows(IllegalArgumentException.class, () -> layout.pack(new double[5][8]));
    assertThrows(IllegalArgumentException.class, () -> layout.pack(new double[][] {new double[7]}));
    assertThrows(IndexOutOfBoundsException.class, () -> layout.slot(4, 0));
    assertThrows(IllegalArgumentException.class, () -> SlotLayout.fromJson("[1]"));
    assertThrows(IllegalArgumentException.class, () -> SlotLayout.fromJson(
        "{\"kind\":\"row-major\",\"tokens\":4,\"width\":8,\"row_stride\":8,\"slots\":64,\"x\":1}"));
    assertThrows(IllegalArgumentException.class, () -> SlotLayout.fromJson(
        "{\"kind\":\"row-major\",\"tokens\":4.5,\"width\":8,\"row_stride\":8,\"slots\":64}"));
    assertThrows(IllegalArgumentException.class, () -> SlotLayout.fromJson(
        "{\"kind\":\"diagonal\",\"tokens\":4,\"width\":8,\"row_stride\":8,\"slots\":64}"));
  }
}
