package io.polyhe.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.InputEmbedding;
import io.polyhe.proto.v1.ModelInfo;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.SlotLayout;
import io.polyhe.proto.v1.Tokenizer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target of the client's decoding of a server's model manifest: {@link ClientModel} (CKKS
 * parameters through he-core's security-checking reader, hash, slot layout, vocabulary, input
 * embedding, tokenizer). Input: a serialised {@code ModelManifest}; bytes that are not one are
 * rejected by gRPC before the SDK sees them and end the input. Documented exception: {@link
 * IllegalArgumentException} (he-core's {@code HeFormatException} is one).
 *
 * <p>Allocation bound: {@value #PER_BYTE} bytes per input byte (protobuf's copy, the embedding
 * tables as doubles: 8 bytes per 8-byte double in the message) plus {@value #CONSTANT}: a valid
 * manifest names its parameters, and the client builds their context (NTT tables and encoder
 * roots, about 1 MB for the N = 2^12 seed). That part is by design bounded by the largest ring
 * he-core accepts (N = 2^16), not by the input; the hash check means it cannot be forged.
 */
class ClientDecodingFuzzTest {
  static final long PER_BYTE = 64;
  static final long CONSTANT = 32 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);

  @FuzzTest
  void manifest(byte[] b) throws Exception {
    ModelManifest m;
    try {
      m = ModelManifest.parseFrom(b);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    Contract.check(b.length, BOUND, () -> new ClientModel(m), IllegalArgumentException.class);
  }

  /** A small valid manifest over N = 2^12 (2 tokens × 4 columns, vocabulary "^$ab"). */
  static ModelManifest smallManifest() {
    return smallManifest(CkksPreset.N12_QP109_128.parameters());
  }

  /** The same over other (secure) parameters. */
  static ModelManifest smallManifest(CkksParameters p) {
    InputEmbedding.Builder e = InputEmbedding.newBuilder().setWidth(4);
    for (int i = 0; i < 16; i++) {
      e.addTokenRows(i * 0.25);
    }
    for (int i = 0; i < 8; i++) {
      e.addPositionRows(-i);
    }
    return ModelManifest.newBuilder()
        .setInfo(ModelInfo.newBuilder().setName("small"))
        .setVocabSize(4).setMaxTokens(2)
        .setParameters(io.polyhe.proto.v1.CkksParameters.newBuilder()
            .setEncoded(ByteString.copyFrom(HeFormat.write(p)))
            .setParametersHash(ByteString.copyFrom(p.rlwe().hash())))
        .setSlotLayout(SlotLayout.newBuilder().setTokens(2).setWidth(4).setRowStride(4).setSlots(p.slots()))
        .setInputLevel(p.maxLevel()).setInputScale(p.defaultScale())
        .setTokenizer(Tokenizer.newBuilder().setKind("task-chars").addVocab("^").addVocab("$").addVocab("a")
            .addVocab("b").setBos(0).setEos(1))
        .setInputEmbedding(e)
        .addGaloisElements(5).addGaloisElements(25)
        .setLogitsRowStride(4)
        .build();
  }

  /** Writes the seed with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() throws Exception {
    SeedCorpus.write(ClientDecodingFuzzTest.class, "manifest", Map.of("small-N12", smallManifest().toByteArray()));
    for (Path p : SeedCorpus.validSeeds(ClientDecodingFuzzTest.class, "manifest")) {
      new ClientModel(ModelManifest.parseFrom(SeedCorpus.read(p)));
    }
  }
}
