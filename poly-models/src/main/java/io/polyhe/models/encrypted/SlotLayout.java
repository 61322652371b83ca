package io.polyhe.models.encrypted;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * How a T × width activation matrix sits in the slots of one ciphertext: row-major, row t at slots
 * {@code [t·rowStride, t·rowStride + width)}, heads side by side inside a row (head h of width
 * d_h at columns {@code [h·d_h, (h+1)·d_h)}), all other slots zero. {@code rowStride} is a power of
 * two at least {@code width}, so rotations by multiples of it move whole rows and sums within a row
 * stay inside it.
 *
 * <p>It is plain data: {@link #toJson()} / {@link #fromJson(String)} let a client pack inputs and
 * unpack logits from a model manifest alone. Immutable; the constructor validates.
 *
 * @param tokens rows T (positions)
 * @param width columns per row
 * @param rowStride slots between the starts of consecutive rows
 * @param slots slots of the ciphertext (N/2)
 */
public record SlotLayout(int tokens, int width, int rowStride, int slots) {

  public SlotLayout {
    if (tokens < 1 || width < 1) {
      throw new IllegalArgumentException("layout needs at least one row and one column");
    }
    if (Integer.bitCount(rowStride) != 1 || rowStride < width) {
      throw new IllegalArgumentException(
          "row stride must be a power of two at least the width " + width + ", got " + rowStride);
    }
    if (Integer.bitCount(slots) != 1 || (long) tokens * rowStride > slots) {
      throw new IllegalArgumentException(
          tokens + " rows of stride " + rowStride + " do not fit " + slots + " slots");
    }
  }

  /** The tightest layout of {@code tokens × width} in {@code slots} slots. */
  public static SlotLayout rowMajor(int tokens, int width, int slots) {
    int stride = Integer.bitCount(width) == 1 ? width : Integer.highestOneBit(width) << 1;
    return new SlotLayout(tokens, width, stride, slots);
  }

  /** Slot of row {@code t}, column {@code j}. */
  public int slot(int t, int j) {
    if (t < 0 || t >= tokens || j < 0 || j >= width) {
      throw new IndexOutOfBoundsException("(" + t + ", " + j + ") outside " + tokens + " × " + width);
    }
    return t * rowStride + j;
  }

  /**
   * Packs rows (at most {@code tokens}, each exactly {@code width} long) into a slot vector;
   * missing rows stay zero.
   */
  public double[] pack(double[][] rows) {
    if (rows.length > tokens) {
      throw new IllegalArgumentException(rows.length + " rows exceed the layout's " + tokens);
    }
    double[] out = new double[slots];
    for (int t = 0; t < rows.length; t++) {
      if (rows[t].length != width) {
        throw new IllegalArgumentException("row " + t + " has " + rows[t].length + " values, expected " + width);
      }
      System.arraycopy(rows[t], 0, out, t * rowStride, width);
    }
    return out;
  }

  /** The first {@code count} rows of a slot vector. */
  public double[][] unpack(double[] slotValues, int count) {
    if (slotValues.length < slots) {
      throw new IllegalArgumentException("expected " + slots + " slot values, got " + slotValues.length);
    }
    if (count < 0 || count > tokens) {
      throw new IllegalArgumentException("cannot unpack " + count + " of " + tokens + " rows");
    }
    double[][] rows = new double[count][width];
    for (int t = 0; t < count; t++) {
      System.arraycopy(slotValues, t * rowStride, rows[t], 0, width);
    }
    return rows;
  }

  /** The layout as a JSON object (for manifests). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("kind", "row-major");
    o.addProperty("tokens", tokens);
    o.addProperty("width", width);
    o.addProperty("row_stride", rowStride);
    o.addProperty("slots", slots);
    return o.toString();
  }

  /**
   * Reads {@link #toJson()}'s form, validating every field.
   *
   * @throws IllegalArgumentException on a malformed or inconsistent description
   */
  public static SlotLayout fromJson(String json) {
    JsonObject o;
    try {
      o = JsonParser.parseString(json).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("slot layout is not a JSON object: " + e.getMessage(), e);
    }
    if (!o.has("kind") || !"row-major".equals(o.get("kind").getAsString())) {
      throw new IllegalArgumentException("unknown slot layout kind " + o.get("kind"));
    }
    if (o.size() != 5) {
      throw new IllegalArgumentException("slot layout must have exactly kind, tokens, width, row_stride, slots");
    }
    return new SlotLayout(intField(o, "tokens"), intField(o, "width"), intField(o, "row_stride"),
        intField(o, "slots"));
  }

  private static int intField(JsonObject o, String name) {
    if (!o.has(name) || !o.get(name).isJsonPrimitive() || !o.get(name).getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException("slot layout field " + name + " missing or not a number");
    }
    double v = o.get(name).getAsDouble();
    if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("slot layout field " + name + " is not a non-negative integer: " + v);
    }
    return (int) v;
  }
}
