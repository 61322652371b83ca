package io.polyhe.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.format.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafetensorsFileTest {

  /** A file with the given header text and {@code dataBytes} zero bytes of data. */
  static ByteBuffer file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.rewind();
  }

  static ModelFormatException rejects(ByteBuffer b) {
    return assertThrows(ModelFormatException.class, () -> SafetensorsFile.parse(b, "t.safetensors"));
  }

  @Test
  void roundTripsThroughTheWriter(@TempDir Path dir) throws IOException {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("b", new Tensor(new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6.5}));
    t.put("a", new Tensor(new long[] {1}, new double[] {-0.25}));
    t.put("empty", new Tensor(new long[] {0, 4}, new double[0]));
    Path p = dir.resolve("m.safetensors");
    SafetensorsWriter.write(p, t, Map.of("format", "pt"), DType.F32);
    SafetensorsFile f = SafetensorsFile.read(p);
    assertEquals(t.keySet(), f.tensors().keySet().stream().collect(java.util.stream.Collectors.toSet()));
    assertEquals(t.get("b"), f.tensor("b"));
    assertEquals(t.get("a"), f.tensor("a"));
    assertEquals("pt", f.metadata().get("format"));
    assertEquals(0, (Files.size(p) - 8 - f.tensors().values().stream().mapToLong(i -> i.end() - i.begin()).sum()) % 8);
  }

  @Test
  void readsF64AndHalfTypes() throws IOException {
    ByteBuffer b = file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
        + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]},"
        + "\"g\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[10,12]}}", 12);
    int data = b.capacity() - 12;
    b.order(ByteOrder.LITTLE_ENDIAN).putDouble(data, Math.PI).putShort(data + 8, Float.floatToFloat16(1.5f))
        .putShort(data + 10, (short) (Float.floatToIntBits(-2f) >>> 16));
    SafetensorsFile f = SafetensorsFile.parse(b, "t");
    assertArrayEquals(new double[] {Math.PI}, f.tensor("x").data());
    assertArrayEquals(new double[] {1.5}, f.tensor("h").data());
    assertArrayEquals(new double[] {-2}, f.tensor("g").data());
  }

  @Test
  void rejectsTruncatedLengthField() {
    assertTrue(rejects(ByteBuffer.wrap(new byte[5])).getMessage().contains("truncated"));
    assertTrue(rejects(ByteBuffer.allocate(0)).getMessage().contains("truncated"));
  }

  @Test
  void rejectsHeaderLengthBeyondTheFile() {
    ByteBuffer b = file("{}", 0);
    b.order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
    assertTrue(rejects(b).getMessage().contains("exceeds"));
    b.putLong(0, -1); // 2^64 - 1 unsigned
    assertTrue(rejects(b).getMessage().contains("18446744073709551615"));
  }

  @Test
  void rejectsTruncatedData() {
    // declares 8 bytes of data, holds 4
    ByteBuffer b = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4);
    assertTrue(rejects(b).getMessage().contains("outside the 4-byte data buffer"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|header must start with '{'",
        "{\"x\":1|not valid JSON",
        "{} {}|trailing data",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|duplicate key 'x'",
        "{\"x\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}|unknown dtype 'F31'",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}|must be in [0,",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}|needs 12 bytes",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}|not an interval",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}|must be [begin, end]",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}|'x.data_offsets': missing",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}|unknown field",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}|overlaps tensor 'x'",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|gap of 4 bytes",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}|4 trailing bytes",
        "{\"__metadata__\":{\"k\":1}}|must be a string",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}|overflows",
      })
  void rejectsMalformedHeaders(String header, String expected) {
    ModelFormatException e = rejects(file(header, 8));
    assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("t.safetensors"), e.getMessage());
  }

  @Test
  void rejectsInvalidUtf8() {
    ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(4).put(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}).rewind();
    assertTrue(rejects(b).getMessage().contains("UTF-8"));
  }

  @Test
  void refusesIntegerTensorsAsWeights() throws IOException {
    SafetensorsFile f = SafetensorsFile.parse(file("{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "t");
    assertTrue(assertThrows(ModelFormatException.class, () -> f.tensor("i")).getMessage().contains("dtype I32"));
    assertTrue(assertThrows(ModelFormatException.class, () -> f.tensor("nope")).getMessage().contains("missing tensor"));
  }

  @Test
  void everyTruncationOfAValidFileIsRejected(@TempDir Path dir) throws IOException {
    Path p = dir.resolve("m.safetensors");
    SafetensorsWriter.write(p, Map.of("w", new Tensor(new long[] {3}, new double[] {1, 2, 3})), Map.of(), DType.F32);
    byte[] all = Files.readAllBytes(p);
    SafetensorsFile.parse(ByteBuffer.wrap(all), "ok");
    for (int n = 0; n < all.length; n++) {
      ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(all, n));
      assertThrows(ModelFormatException.class, () -> SafetensorsFile.parse(cut, "cut"), "length " + n);
    }
  }
}
