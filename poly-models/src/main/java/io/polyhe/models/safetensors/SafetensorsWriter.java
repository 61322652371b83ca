package io.polyhe.models.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes tensors as a safetensors file: names in sorted order, data contiguous, header padded
 * with spaces to a multiple of 8 bytes (the alignment the reference implementation produces).
 * Stateless; thread-safe.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} (converted to {@code dtype}) and {@code metadata} to {@code path}.
   *
   * @throws IllegalArgumentException if {@code dtype} is not F32 or F64, or a name is empty or
   *     {@code __metadata__}
   * @throws IOException if the file cannot be written
   */
  public static void write(
      Path path, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype)
      throws IOException {
    if (dtype != DType.F32 && dtype != DType.F64) {
      throw new IllegalArgumentException("writer supports F32 and F64, not " + dtype);
    }
    Map<String, DType> types = new TreeMap<>();
    tensors.keySet().forEach(k -> types.put(k, dtype));
    write(path, tensors, metadata, types);
  }

  /**
   * Writes {@code tensors}, each converted to its type in {@code dtypes}: F64, F32, F16 (IEEE
   * half, round to nearest even), or BOOL/U8 (nonzero as 1), as Hugging Face checkpoints mix
   * them (half-precision weights beside boolean mask buffers).
   *
   * @throws IllegalArgumentException if a tensor has no type or another type, or a name is empty
   *     or {@code __metadata__}
   * @throws IOException if the file cannot be written
   */
  public static void write(
      Path path, Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, DType> dtypes)
      throws IOException {
    for (String name : tensors.keySet()) {
      DType t = dtypes.get(name);
      if (t == null || !(t == DType.F64 || t == DType.F32 || t == DType.F16 || t == DType.BOOL || t == DType.U8)) {
        throw new IllegalArgumentException("tensor '" + name + "': writer supports F64, F32, F16, BOOL and U8, not " + t);
      }
    }
    Map<String, Tensor> sorted = new TreeMap<>(tensors);
    JsonObject header = new JsonObject();
    long offset = 0;
    for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("invalid tensor name '" + e.getKey() + "'");
      }
      DType dtype = dtypes.get(e.getKey());
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", dtype.name());
      JsonArray shape = new JsonArray();
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      long bytes = (long) e.getValue().data().length * dtype.bytes();
      JsonArray off = new JsonArray();
      off.add(offset);
      off.add(offset + bytes);
      entry.add("data_offsets", off);
      header.add(e.getKey(), entry);
      offset += bytes;
    }
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      new TreeMap<>(metadata).forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (h.length + 7) / 8 * 8;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(h);
      for (int i = h.length; i < padded; i++) {
        out.write(' ');
      }
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
        DType dtype = dtypes.get(e.getKey());
        for (double v : e.getValue().data()) {
          if (chunk.remaining() < 8) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
          }
          switch (dtype) {
            case F64 -> chunk.putDouble(v);
            case F32 -> chunk.putFloat((float) v);
            case F16 -> chunk.putShort(Float.floatToFloat16((float) v));
            case BOOL, U8 -> chunk.put((byte) (v != 0 ? 1 : 0));
            default -> throw new AssertionError(dtype);
          }
        }
      }
      out.write(chunk.array(), 0, chunk.position());
    }
  }
}
