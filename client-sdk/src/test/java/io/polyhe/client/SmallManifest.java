package io.polyhe.client;

import com.google.protobuf.ByteString;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.InputEmbedding;
import io.polyhe.proto.v1.ModelInfo;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.SlotLayout;
import io.polyhe.proto.v1.Tokenizer;

/** A hand-made manifest over N = 2^12 (2 tokens × 4 columns, vocabulary "^$ab"), for fast SDK tests. */
final class SmallManifest {
  private SmallManifest() {}

  static ModelManifest of(String name) {
    return of(name, CkksPreset.N12_QP109_128.parameters());
  }

  /** The same model over parameters {@code p} (their slots, top level and default scale). */
  static ModelManifest of(String name, CkksParameters p) {
    InputEmbedding.Builder e = InputEmbedding.newBuilder().setWidth(4);
    for (int i = 0; i < 16; i++) {
      e.addTokenRows(i);
    }
    for (int i = 0; i < 8; i++) {
      e.addPositionRows(100 * i);
    }
    return ModelManifest.newBuilder()
        .setInfo(ModelInfo.newBuilder().setName(name))
        .setVocabSize(4).setMaxTokens(2)
        .setParameters(io.polyhe.proto.v1.CkksParameters.newBuilder()
            .setEncoded(ByteString.copyFrom(HeFormat.write(p)))
            .setParametersHash(ByteString.copyFrom(p.rlwe().hash())))
        .setSlotLayout(SlotLayout.newBuilder().setTokens(2).setWidth(4).setRowStride(4).setSlots(p.slots()))
        .setInputLevel(p.maxLevel()).setInputScale(p.defaultScale())
        .setTokenizer(Tokenizer.newBuilder().setKind("task-chars").addVocab("^").addVocab("$").addVocab("a")
            .addVocab("b").setBos(0).setEos(1))
        .setInputEmbedding(e)
        .setLogitsRowStride(4)
        .build();
  }
}
