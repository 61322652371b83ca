package io.polyhe.server.service;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.io.HeFuzzFixtures;
import io.polyhe.proto.v1.CiphertextChunk;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the server's proto-to-object decoding: the chunked ciphertexts a client sends
 * ({@link IncomingCiphertext}: the Infer input, and refresh answers, at any level) and key uploads
 * ({@link KeyUploadChecks}: the header against the model, then each key through {@link
 * ChunkAssembler} and he-core's reader, as {@link KeyServiceImpl} does).
 *
 * <p>Input: for ciphertexts, one byte choosing the expected level, then length-delimited {@code
 * CiphertextChunk} messages; for uploads, length-delimited {@code KeyUploadRequest} messages. Bytes
 * that are not such messages end the input (gRPC rejects them before the services see anything).
 * The model is he-core's tiny insecure fixture (N = 8) with Galois elements 5 and 15.
 *
 * <p>Documented exceptions: {@link ServiceException} (INVALID_ARGUMENT, RESOURCE_EXHAUSTED over the
 * quota) and {@link HeFormatException}; both become INVALID_ARGUMENT/RESOURCE_EXHAUSTED statuses in
 * {@link ErrorMapper}, never INTERNAL. Allocation bound: {@value #PER_BYTE} bytes per input byte
 * (protobuf copies, the chunk buffer that doubles as bytes arrive, he-core's unpacking) plus
 * {@value #CONSTANT}; a declared size that the chunks do not back must not be allocated up front.
 */
class ServerDecodingFuzzTest {
  static final long PER_BYTE = 96;
  static final long CONSTANT = 2 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);

  static final CkksContext CONTEXT = HeFuzzFixtures.context();
  static final Set<Integer> GALOIS = Set.of(5, 15);
  static final long QUOTA = 1 << 20;

  @FuzzTest
  void inferCiphertext(byte[] b) throws Exception {
    Contract.check(b.length, BOUND, () -> decodeCiphertext(b),
        ServiceException.class, HeFormatException.class);
  }

  @FuzzTest
  void keyUpload(byte[] b) throws Exception {
    Contract.check(b.length, BOUND, () -> decodeUpload(b),
        ServiceException.class, HeFormatException.class);
  }

  /** What a decode ended with (a ciphertext, or how far it got). */
  private static Object decodeCiphertext(byte[] b) {
    if (b.length == 0) {
      return "empty";
    }
    CkksParameters p = CONTEXT.parameters();
    int level = (b[0] & 0xff) % (p.maxLevel() + 1);
    InputStream in = new ByteArrayInputStream(b, 1, b.length - 1);
    IncomingCiphertext incoming = null;
    for (CiphertextChunk c; (c = next(in, CiphertextChunk.parser())) != null; ) {
      if (incoming == null) {
        incoming = new IncomingCiphertext("input ciphertext", CONTEXT, c.getTotalBytes(), level, p.defaultScale(),
            ChunkAssembler.Limits.NONE);
      } else if (c.getTotalBytes() != 0) {
        throw ServiceException.invalid("only the first chunk of a ciphertext carries its size");
      }
      Object ct = incoming.add(c.getData());
      if (ct != null) {
        return ct;
      }
    }
    return "incomplete";
  }

  private static Object decodeUpload(byte[] b) {
    InputStream in = new ByteArrayInputStream(b);
    List<KeyDescriptor> keys = null;
    List<Object> decoded = new ArrayList<>();
    ChunkAssembler current = null;
    for (KeyUploadRequest r; (r = next(in, KeyUploadRequest.parser())) != null; ) {
      switch (r.getKindCase()) {
        case HEADER -> {
          if (keys != null) {
            throw ServiceException.invalid("the upload header comes once, first");
          }
          keys = KeyUploadChecks.header(r.getHeader(), "tiny", CONTEXT.parameters(), GALOIS, QUOTA,
              ChunkAssembler.Limits.NONE);
        }
        case CHUNK -> {
          if (keys == null) {
            throw ServiceException.invalid("the upload must start with its header");
          }
          if (decoded.size() >= keys.size()) {
            throw ServiceException.invalid("more bytes than the declared keys");
          }
          KeyDescriptor k = keys.get(decoded.size());
          if (current == null) {
            current = new ChunkAssembler("key " + decoded.size(), k.getSizeBytes(), ChunkAssembler.Limits.NONE,
                k.getSizeBytes());
          }
          if (current.add(r.getChunk().getData())) {
            byte[] bytes = current.bytes();
            current = null;
            decoded.add(k.getKind() == KeyKind.KEY_KIND_RELINEARIZATION
                ? HeFormat.readRelinearizationKey(bytes, CONTEXT)
                : KeyUploadChecks.galoisKey(k, decoded.size(), bytes, CONTEXT));
          }
        }
        default -> throw ServiceException.invalid("empty upload message");
      }
    }
    return decoded;
  }

  /** The next length-delimited message, or null at the end or where the bytes are not one. */
  private static <M> M next(InputStream in, com.google.protobuf.Parser<M> parser) {
    try {
      return parser.parseDelimitedFrom(in);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------ seed corpus

  private static byte[] delimited(List<? extends com.google.protobuf.MessageLite> messages, int prefix) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (prefix >= 0) {
        out.write(prefix);
      }
      for (var m : messages) {
        m.writeDelimitedTo(out);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<CiphertextChunk> chunks(byte[] ct, int pieces) {
    List<CiphertextChunk> out = new ArrayList<>();
    int step = (ct.length + pieces - 1) / pieces;
    for (int off = 0; off < ct.length; off += step) {
      out.add(CiphertextChunk.newBuilder().setTotalBytes(off == 0 ? ct.length : 0)
          .setData(ByteString.copyFrom(ct, off, Math.min(step, ct.length - off))).build());
    }
    return out;
  }

  static Map<String, Map<String, byte[]>> seeds() {
    int top = CONTEXT.parameters().maxLevel();
    Map<String, byte[]> cts = new LinkedHashMap<>();
    cts.put("seeded-top-2-chunks", delimited(chunks(HeFuzzFixtures.seededCiphertext(top), 2), top));
    cts.put("full-top-1-chunk", delimited(chunks(HeFuzzFixtures.ciphertext(top), 1), top));
    cts.put("full-level0-3-chunks", delimited(chunks(HeFuzzFixtures.ciphertext(0), 3), 0));
    byte[] rlk = HeFuzzFixtures.relinearizationKey();
    byte[] g5 = HeFuzzFixtures.galoisKey(5);
    long size = rlk.length;
    KeyUploadHeader header = KeyUploadHeader.newBuilder().setModel("tiny")
        .setParametersHash(ByteString.copyFrom(CONTEXT.parameters().rlwe().hash()))
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_RELINEARIZATION).setSizeBytes(size))
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(5).setSizeBytes(size))
        .build();
    List<KeyUploadRequest> upload = new ArrayList<>();
    upload.add(KeyUploadRequest.newBuilder().setHeader(header).build());
    for (byte[] key : List.of(rlk, g5)) {
      for (CiphertextChunk c : chunks(key, 2)) {
        upload.add(KeyUploadRequest.newBuilder().setChunk(
            io.polyhe.proto.v1.KeyChunk.newBuilder().setData(c.getData())).build());
      }
    }
    return Map.of("inferCiphertext", cts, "keyUpload", Map.of("rlk-and-g5", delimited(upload, -1)));
  }

  /** Writes the seeds with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() {
    seeds().forEach((method, s) -> SeedCorpus.write(ServerDecodingFuzzTest.class, method, s));
    for (Path p : SeedCorpus.validSeeds(ServerDecodingFuzzTest.class, "inferCiphertext")) {
      if (!(decodeCiphertext(SeedCorpus.read(p)) instanceof io.polyhe.he.rlwe.Ciphertext)) {
        throw new AssertionError(p + " does not decode to a ciphertext");
      }
    }
    for (Path p : SeedCorpus.validSeeds(ServerDecodingFuzzTest.class, "keyUpload")) {
      if (((List<?>) decodeUpload(SeedCorpus.read(p))).size() != 2) {
        throw new AssertionError(p + " does not decode to two keys");
      }
    }
  }
}
