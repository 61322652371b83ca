package io.polyhe.models.safetensors;

import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.format.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A validated safetensors file: its header entries, metadata and read-only data buffer.
 *
 * <p>Invariants established by {@link #parse} before the object exists: the header length fits
 * the file; the header is strict UTF-8 JSON with no duplicate keys; every entry has exactly
 * {@code dtype}, {@code shape} and {@code data_offsets}, a known dtype and a byte size that
 * matches its shape; and the entries tile the data buffer exactly (no overlap, no gap, no
 * trailing bytes), as Hugging Face's reference implementation requires. Immutable and
 * thread-safe (tensor reads use a private duplicate of the buffer).
 */
public final class SafetensorsFile {
  /** Largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA = "__metadata__";
  private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

  private final String source;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;
  private final ByteBuffer data;

  private SafetensorsFile(
      String source, Map<String, TensorInfo> tensors, Map<String, String> metadata, ByteBuffer data) {
    this.source = source;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
    this.data = data;
  }

  /**
   * Maps and validates the file at {@code path}.
   *
   * @throws ModelFormatException if the file is malformed (see the class invariants)
   * @throws IOException if it cannot be read
   */
  public static SafetensorsFile read(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new ModelFormatException(path.toString(), "files over 2 GiB are not supported");
      }
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return parse(buf, path.toString());
    }
  }

  /**
   * Validates the complete file contents in {@code file} (position to limit).
   *
   * @param source name used in error messages
   * @throws ModelFormatException on the first violation of the class invariants
   */
  public static SafetensorsFile parse(ByteBuffer file, String source) throws ModelFormatException {
    ByteBuffer buf = file.slice().order(ByteOrder.LITTLE_ENDIAN);
    long size = buf.remaining();
    if (size < 8) {
      throw new ModelFormatException(
          source, "truncated: " + size + " bytes, the header length field alone needs 8");
    }
    long headerLen = buf.getLong(0);
    if (headerLen < 0 || headerLen > size - 8) {
      throw new ModelFormatException(
          source,
          "header length " + Long.toUnsignedString(headerLen) + " exceeds the "
              + (size - 8) + " bytes after the length field (truncated or corrupt)");
    }
    if (headerLen > MAX_HEADER_BYTES) {
      throw new ModelFormatException(source, "header of " + headerLen + " bytes is too large");
    }
    byte[] headerBytes = new byte[(int) headerLen];
    buf.get(8, headerBytes);
    String header;
    try {
      header =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(headerBytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFormatException(source, "header is not valid UTF-8", e);
    }
    if (!header.startsWith("{")) {
      throw new ModelFormatException(source, "header must start with '{'");
    }
    StrictJson json = StrictJson.parseObject(source + " (header)", header);
    long dataSize = size - 8 - headerLen;
    Map<String, String> metadata = new TreeMap<>();
    List<TensorInfo> infos = new ArrayList<>();
    for (String name : json.keys()) {
      if (name.equals(METADATA)) {
        StrictJson m = json.object(METADATA);
        for (String k : m.keys()) {
          metadata.put(k, m.string(k));
        }
        continue;
      }
      if (name.isEmpty()) {
        throw new ModelFormatException(source, "empty tensor name");
      }
      infos.add(entry(source, name, json.object(name), dataSize));
    }
    checkTiling(source, infos, dataSize);
    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    infos.forEach(t -> byName.put(t.name(), t));
    ByteBuffer data =
        buf.slice((int) (8 + headerLen), (int) dataSize).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return new SafetensorsFile(source, byName, metadata, data);
  }

  private static TensorInfo entry(String source, String name, StrictJson e, long dataSize)
      throws ModelFormatException {
    e.requireOnly(ENTRY_KEYS);
    DType dtype;
    try {
      dtype = DType.parse(e.string("dtype"));
    } catch (IllegalArgumentException ex) {
      throw e.fail("dtype", ex.getMessage());
    }
    long[] shape = e.integers("shape", 0, Long.MAX_VALUE);
    long[] off = e.integers("data_offsets", 0, Long.MAX_VALUE);
    if (off.length != 2) {
      throw e.fail("data_offsets", "must be [begin, end], got " + off.length + " numbers");
    }
    if (off[1] > dataSize) {
      throw new ModelFormatException(
          source,
          "tensor '" + name + "' ends at byte " + off[1] + ", outside the " + dataSize
              + "-byte data buffer (truncated file?)");
    }
    try {
      return new TensorInfo(name, dtype, Arrays.stream(shape).boxed().toList(), off[0], off[1]);
    } catch (IllegalArgumentException ex) {
      throw new ModelFormatException(source, ex.getMessage());
    }
  }

  // The tensors must tile [0, dataSize): sorted by offset, each starts where the previous ended.
  private static void checkTiling(String source, List<TensorInfo> infos, long dataSize)
      throws ModelFormatException {
    infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    String previous = null;
    for (TensorInfo t : infos) {
      if (t.begin() < expected) {
        throw new ModelFormatException(
            source,
            "tensor '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlaps tensor '"
                + previous + "' which ends at " + expected);
      }
      if (t.begin() > expected) {
        throw new ModelFormatException(
            source,
            "gap of " + (t.begin() - expected) + " bytes before tensor '" + t.name() + "' at "
                + expected);
      }
      expected = t.end();
      previous = t.name();
    }
    if (expected != dataSize) {
      throw new ModelFormatException(
          source, (dataSize - expected) + " trailing bytes after the last tensor");
    }
  }

  /** The file name used in messages. */
  public String source() {
    return source;
  }

  /** Header entries by name, in data-offset order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The {@code __metadata__} map (empty if absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Tensor {@code name} converted to doubles.
   *
   * @throws ModelFormatException if it is absent or not of a floating-point dtype
   */
  public Tensor tensor(String name) throws ModelFormatException {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new ModelFormatException(source, "missing tensor '" + name + "'");
    }
    if (!info.dtype().isFloatingPoint()) {
      throw new ModelFormatException(
          source, "tensor '" + name + "' has dtype " + info.dtype() + ", weights must be F64/F32/F16/BF16");
    }
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(info.elementCount());
    double[] out = new double[n];
    int at = (int) info.begin();
    for (int i = 0; i < n; i++) {
      out[i] =
          switch (info.dtype()) {
            case F64 -> b.getDouble(at + 8 * i);
            case F32 -> b.getFloat(at + 4 * i);
            case F16 -> Float.float16ToFloat(b.getShort(at + 2 * i));
            case BF16 -> Float.intBitsToFloat((b.getShort(at + 2 * i) & 0xffff) << 16);
            default -> throw new AssertionError(info.dtype());
          };
    }
    return new Tensor(info.shapeArray(), out);
  }
}
