package io.polyhe.models;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.models.config.ConfigJson;
import io.polyhe.models.format.ModelFormatException;
import io.polyhe.models.safetensors.SafetensorsFile;
import io.polyhe.models.safetensors.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the model files: {@link SafetensorsFile#parse} followed by reading every tensor
 * whose dtype is a weight type (the data path a model load takes), and {@link ConfigJson#parse}
 * (strict JSON, every section of {@code config.json}, the tokenizer spec included). The only
 * documented exception is {@link ModelFormatException}.
 *
 * <p>Allocation bound: {@value #PER_BYTE} bytes per input byte plus {@value #CONSTANT}. A JSON tree
 * costs up to ~100 bytes of objects per input byte (a one-digit array element becomes a
 * JsonPrimitive holding a BigDecimal; the header string is decoded to UTF-16 first); a tensor read
 * turns each F16/BF16 element (2 bytes) into an 8-byte double (4 per byte). The constant covers the
 * instrumentation overhead and message strings. Safetensors' header length field is checked against
 * the file size before the header is copied, and tensors must tile the data buffer exactly, so
 * neither can ask for more than the input holds.
 */
class ModelFilesFuzzTest {
  static final long PER_BYTE = 256;
  static final long CONSTANT = 2 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);

  @FuzzTest
  void safetensors(byte[] b) throws Exception {
    Contract.check(b.length, BOUND, () -> readAll(b), ModelFormatException.class);
  }

  @FuzzTest
  void config(byte[] b) throws Exception {
    Contract.check(b.length, BOUND,
        () -> ConfigJson.parse("config.json", new String(b, StandardCharsets.UTF_8)),
        ModelFormatException.class);
  }

  private static SafetensorsFile readAll(byte[] b) throws ModelFormatException {
    SafetensorsFile f = SafetensorsFile.parse(ByteBuffer.wrap(b), "model.safetensors");
    for (TensorInfo t : f.tensors().values()) {
      if (t.dtype().isFloatingPoint()) {
        f.tensor(t.name());
      }
    }
    return f;
  }

  // ------------------------------------------------------------------------------ seed corpus

  /** A safetensors file: 8-byte little-endian header length, the header, the data. */
  static byte[] safetensorsFile(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(h.length).put(h);
    for (int i = 0; i < dataBytes; i++) {
      out.put((byte) (i * 37 + 11));
    }
    return out.array();
  }

  static Map<String, Map<String, byte[]>> seeds() throws IOException {
    Map<String, byte[]> st = new LinkedHashMap<>();
    st.put("f32-matrix-and-vector", safetensorsFile(
        "{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 36));
    st.put("every-float-dtype-and-metadata", safetensorsFile(
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[16,24]},"
            + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]},"
            + "\"ids\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[30,34]},"
            + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[34,38]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[38,38]}}", 38));
    st.put("empty", safetensorsFile("{}", 0));
    Map<String, byte[]> cfg = new LinkedHashMap<>();
    cfg.put("tiny-softmax", resource("/models/tiny-softmax/config.json"));
    cfg.put("tiny", resource("/models/tiny/config.json"));
    return Map.of("safetensors", st, "config", cfg);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ModelFilesFuzzTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** Writes the seeds with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() throws Exception {
    for (var e : seeds().entrySet()) {
      SeedCorpus.write(ModelFilesFuzzTest.class, e.getKey(), e.getValue());
    }
    for (Path p : SeedCorpus.validSeeds(ModelFilesFuzzTest.class, "safetensors")) {
      readAll(SeedCorpus.read(p));
    }
    for (Path p : SeedCorpus.validSeeds(ModelFilesFuzzTest.class, "config")) {
      ConfigJson.parse(p.toString(), new String(SeedCorpus.read(p), StandardCharsets.UTF_8));
    }
  }
}
