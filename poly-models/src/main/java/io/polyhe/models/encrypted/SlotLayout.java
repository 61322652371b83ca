package io.polyhe.models.encrypted;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * How a T × width activation matrix sits in the slots of ciphertexts: row-major, {@code
 * rowsPerCiphertext} rows per ciphertext (a "tile"), row t in tile {@code t / rowsPerCiphertext}
 * at slots {@code [r·rowStride, r·rowStride + width)} for {@code r = t mod rowsPerCiphertext}, heads
 * side by side inside a row (head h of width d_h at columns {@code [h·d_h, (h+1)·d_h)}), all other
 * slots zero. {@code rowStride} is a power of two at least {@code width}, so rotations by multiples
 * of it move whole rows and sums within a row stay inside it. When the rows need more than one
 * ciphertext, every tile is full ({@code rowsPerCiphertext · rowStride = slots}), so a rotation by
 * whole rows wraps around the tile's own rows — what attention across tiles relies on.
 *
 * <p>It is plain data: {@link #toJson()} / {@link #fromJson(String)} let a client pack inputs and
 * unpack logits from a model manifest alone. Immutable; the constructor validates.
 *
 * @param tokens rows T (positions)
 * @param width columns per row
 * @param rowStride slots between the starts of consecutive rows
 * @param slots slots of each ciphertext (N/2)
 * @param rowsPerCiphertext rows per ciphertext ({@code >= tokens}: one ciphertext holds them all)
 */
public record SlotLayout(int tokens, int width, int rowStride, int slots, int rowsPerCiphertext) {

  public SlotLayout {
    if (tokens < 1 || width < 1) {
      throw new IllegalArgumentException("layout needs at least one row and one column");
    }
    if (Integer.bitCount(rowStride) != 1 || rowStride < width) {
      throw new IllegalArgumentException(
          "row stride must be a power of two at least the width " + width + ", got " + rowStride);
    }
    if (Integer.bitCount(slots) != 1 || rowStride > slots) {
      throw new IllegalArgumentException("a row of stride " + rowStride + " does not fit " + slots + " slots");
    }
    if (rowsPerCiphertext >= tokens) {
      rowsPerCiphertext = tokens;
      if ((long) tokens * rowStride > slots) {
        throw new IllegalArgumentException(
            tokens + " rows of stride " + rowStride + " do not fit " + slots + " slots");
      }
    } else if (rowsPerCiphertext < 1 || (long) rowsPerCiphertext * rowStride != slots) {
      throw new IllegalArgumentException("rows split over ciphertexts must fill each: " + rowsPerCiphertext
          + " rows of stride " + rowStride + " for " + slots + " slots");
    }
  }

  /** All {@code tokens} rows in one ciphertext. */
  public SlotLayout(int tokens, int width, int rowStride, int slots) {
    this(tokens, width, rowStride, slots, tokens);
  }

  /**
   * Rows of {@code rowStride} in as few ciphertexts as hold them: one if {@code tokens · rowStride <=
   * slots}, else full tiles of {@code slots / rowStride} rows.
   */
  public static SlotLayout tiled(int tokens, int width, int rowStride, int slots) {
    return new SlotLayout(tokens, width, rowStride, slots, Math.max(1, slots / rowStride));
  }

  /** Ciphertexts the full context takes. */
  public int ciphertexts() {
    return (tokens + rowsPerCiphertext - 1) / rowsPerCiphertext;
  }

  /** Ciphertexts the first {@code count} rows take. */
  public int ciphertexts(int count) {
    if (count < 1 || count > tokens) {
      throw new IllegalArgumentException("need 1.." + tokens + " rows, got " + count);
    }
    return (count + rowsPerCiphertext - 1) / rowsPerCiphertext;
  }

  /** Rows of the first {@code count} that fall in ciphertext {@code tile}. */
  public int rowsIn(int tile, int count) {
    return Math.max(0, Math.min(rowsPerCiphertext, count - tile * rowsPerCiphertext));
  }

  /** The tightest layout of {@code tokens × width} in {@code slots} slots. */
  public static SlotLayout rowMajor(int tokens, int width, int slots) {
    int stride = Integer.bitCount(width) == 1 ? width : Integer.highestOneBit(width) << 1;
    return new SlotLayout(tokens, width, stride, slots);
  }

  /** Slot of row {@code t}, column {@code j} inside its ciphertext ({@code t / rowsPerCiphertext}). */
  public int slot(int t, int j) {
    if (t < 0 || t >= tokens || j < 0 || j >= width) {
      throw new IndexOutOfBoundsException("(" + t + ", " + j + ") outside " + tokens + " × " + width);
    }
    return (t % rowsPerCiphertext) * rowStride + j;
  }

  /**
   * Packs rows (at most {@code tokens}, each exactly {@code width} long) into the slot vector of a
   * one-ciphertext layout; missing rows stay zero.
   *
   * @throws IllegalStateException if the layout takes more than one ciphertext (use {@link
   *     #packTiles})
   */
  public double[] pack(double[][] rows) {
    requireOneCiphertext();
    return packTiles(rows)[0];
  }

  /**
   * Packs rows into the slot vectors of the ciphertexts they take ({@code ciphertexts(rows.length)}
   * of them); missing rows stay zero.
   */
  public double[][] packTiles(double[][] rows) {
    if (rows.length > tokens) {
      throw new IllegalArgumentException(rows.length + " rows exceed the layout's " + tokens);
    }
    double[][] out = new double[rows.length == 0 ? 1 : ciphertexts(rows.length)][slots];
    for (int t = 0; t < rows.length; t++) {
      if (rows[t].length != width) {
        throw new IllegalArgumentException("row " + t + " has " + rows[t].length + " values, expected " + width);
      }
      System.arraycopy(rows[t], 0, out[t / rowsPerCiphertext], slot(t, 0), width);
    }
    return out;
  }

  /** The first {@code count} rows of a one-ciphertext layout's slot vector. */
  public double[][] unpack(double[] slotValues, int count) {
    requireOneCiphertext();
    return unpackTiles(new double[][] {slotValues}, count);
  }

  /** The first {@code count} rows of the slot vectors of {@code ciphertexts(count)} tiles. */
  public double[][] unpackTiles(double[][] tileSlots, int count) {
    if (count < 0 || count > tokens) {
      throw new IllegalArgumentException("cannot unpack " + count + " of " + tokens + " rows");
    }
    int tiles = count == 0 ? 0 : ciphertexts(count);
    if (tileSlots.length < tiles) {
      throw new IllegalArgumentException(count + " rows need " + tiles + " ciphertexts, got " + tileSlots.length);
    }
    double[][] rows = new double[count][width];
    for (int t = 0; t < count; t++) {
      double[] v = tileSlots[t / rowsPerCiphertext];
      if (v.length < slots) {
        throw new IllegalArgumentException("expected " + slots + " slot values, got " + v.length);
      }
      System.arraycopy(v, slot(t, 0), rows[t], 0, width);
    }
    return rows;
  }

  private void requireOneCiphertext() {
    if (ciphertexts() > 1) {
      throw new IllegalStateException("layout takes " + ciphertexts() + " ciphertexts: pack or unpack tiles");
    }
  }

  /** The layout as a JSON object (for manifests). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("kind", "row-major");
    o.addProperty("tokens", tokens);
    o.addProperty("width", width);
    o.addProperty("row_stride", rowStride);
    o.addProperty("slots", slots);
    if (ciphertexts() > 1) {
      o.addProperty("rows_per_ciphertext", rowsPerCiphertext);
    }
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
    boolean tiled = o.has("rows_per_ciphertext");
    if (o.size() != (tiled ? 6 : 5)) {
      throw new IllegalArgumentException(
          "slot layout must have exactly kind, tokens, width, row_stride, slots (and rows_per_ciphertext)");
    }
    int tokens = intField(o, "tokens");
    return new SlotLayout(tokens, intField(o, "width"), intField(o, "row_stride"), intField(o, "slots"),
        tiled ? intField(o, "rows_per_ciphertext") : tokens);
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
