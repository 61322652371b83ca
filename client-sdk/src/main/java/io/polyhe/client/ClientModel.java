package io.polyhe.client;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.proto.v1.InputEmbedding;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.SlotLayout;
import java.util.Arrays;

/**
 * A model as its client sees it, from its manifest alone: the CKKS parameters (read and
 * security-checked by he-core), the slot layout, the tokenizer and the input embedding. Packs token
 * ids into the slot vector the client encrypts and reads logits out of decrypted slots. Every
 * field of the manifest is checked against the others on construction; parameters below 128-bit
 * security are refused unless the client opted in by name ({@link
 * PolyheClient.Builder#acceptInsecureParametersForTestsOnly()}). Immutable; thread-safe.
 */
public final class ClientModel {
  private final ModelManifest manifest;
  private final CkksParameters parameters;
  private final CkksContext context;
  private final TextTokenizer tokenizer;
  private final int tokens;
  private final int width;
  private final int rowStride;
  private final int vocab;
  private final double[] tokenRows;
  private final double[] positionRows;
  private final RefreshMode refresh;
  private final ClientWire wire;

  /**
   * @throws IllegalArgumentException (or he-core's {@code HeFormatException}) if the manifest is
   *     malformed or inconsistent, or its parameters are below 128-bit security
   */
  public ClientModel(ModelManifest manifest) {
    this(manifest, false);
  }

  ClientModel(ModelManifest manifest, boolean acceptInsecureParametersForTestsOnly) {
    this.manifest = manifest;
    this.wire = ClientWire.of(manifest);
    this.parameters = wire.parameters(manifest, acceptInsecureParametersForTestsOnly);
    if (!Arrays.equals(parameters.rlwe().hash(), manifest.getParameters().getParametersHash().toByteArray())) {
      throw new IllegalArgumentException("manifest's parameter hash does not match its parameters");
    }
    SlotLayout l = manifest.getSlotLayout();
    if (l.getSlots() != parameters.slots() || Integer.bitCount(l.getRowStride()) != 1
        || (long) l.getTokens() * l.getRowStride() > l.getSlots() || l.getWidth() > l.getRowStride()
        || l.getTokens() < 1 || l.getWidth() < 1) {
      throw new IllegalArgumentException("manifest's slot layout does not fit its parameters");
    }
    this.tokens = l.getTokens();
    this.width = l.getWidth();
    this.rowStride = l.getRowStride();
    this.vocab = manifest.getVocabSize();
    if (vocab < 1 || vocab > rowStride || manifest.getLogitsRowStride() != rowStride) {
      throw new IllegalArgumentException("manifest's vocabulary does not fit a row of the layout");
    }
    this.refresh = RefreshMode.fromManifest(manifest.getRefreshValue());
    // Bootstrapping keeps the levels above its output level for itself: inputs come in below the top.
    int maxInputLevel = parameters.maxLevel();
    if (manifest.getInputLevel() > maxInputLevel
        || refresh == RefreshMode.CLIENT && manifest.getInputLevel() != maxInputLevel
        || refresh == RefreshMode.BOOTSTRAP && manifest.getInputLevel() < 1
        || !(manifest.getInputScale() > 1)) {
      throw new IllegalArgumentException("manifest's input level or scale is invalid");
    }
    InputEmbedding e = manifest.getInputEmbedding();
    // No position rows at all: a rotary model (positions are applied inside attention).
    if (e.getWidth() != width || e.getTokenRowsCount() != (long) vocab * width
        || e.getPositionRowsCount() != 0 && e.getPositionRowsCount() != (long) manifest.getMaxTokens() * width
        || manifest.getMaxTokens() != tokens) {
      throw new IllegalArgumentException("manifest's input embedding does not match its layout");
    }
    this.tokenRows = e.getTokenRowsList().stream().mapToDouble(Double::doubleValue).toArray();
    this.positionRows = e.getPositionRowsList().stream().mapToDouble(Double::doubleValue).toArray();
    this.tokenizer = new TextTokenizer(manifest.getTokenizer());
    this.context = CkksContext.create(parameters);
  }

  /** The manifest as the server sent it (the wire form, e.g. to save next to a keyring). */
  public ModelManifest manifest() {
    return manifest;
  }

  public String name() {
    return manifest.getInfo().getName();
  }

  /** The model's name, description and hash, as {@link PolyheClient#listModels()} lists them. */
  public ModelInfo info() {
    return ModelInfo.of(manifest.getInfo());
  }

  public CkksParameters parameters() {
    return parameters;
  }

  /** How keys and ciphertexts of this model travel (the manifest's {@code ciphertext_format}). */
  ClientWire wire() {
    return wire;
  }

  /** True if the server speaks Microsoft SEAL's format and profile ({@code serve --format seal}). */
  public boolean sealFormat() {
    return wire == ClientWire.SEAL;
  }

  /** How the server refreshes ciphertexts: client-aided (this client answers) or by bootstrapping. */
  public RefreshMode refresh() {
    return refresh;
  }

  /** The context this client computes in (encryption, decryption). */
  public CkksContext context() {
    return context;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** Most tokens one pass takes (the context). */
  public int maxTokens() {
    return tokens;
  }

  public int vocabSize() {
    return vocab;
  }

  /** The Galois elements whose keys the server needs. */
  public int[] galoisElements() {
    return manifest.getGaloisElementsList().stream().mapToInt(Integer::intValue).toArray();
  }

  /** Whether inputs carry learned position rows (false for a rotary model, whose manifest has none). */
  public boolean learnedPositions() {
    return positionRows.length > 0;
  }

  /**
   * The slot vector of {@code ids}: row t holds token {@code ids[t]}'s embedding plus position t's
   * (the token's alone for a rotary model).
   *
   * @throws IllegalArgumentException for no tokens, more than the context, or an id out of range
   */
  public double[] pack(int[] ids) {
    if (ids.length == 0 || ids.length > tokens) {
      throw new IllegalArgumentException("need 1.." + tokens + " tokens, got " + ids.length);
    }
    double[] slots = new double[parameters.slots()];
    boolean positions = learnedPositions();
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] < 0 || ids[t] >= vocab) {
        throw new IllegalArgumentException("token id " + ids[t] + " outside [0, " + vocab + ")");
      }
      for (int j = 0; j < width; j++) {
        slots[t * rowStride + j] = tokenRows[ids[t] * width + j] + (positions ? positionRows[t * width + j] : 0);
      }
    }
    return slots;
  }

  /** Logits {@code [count][vocab]} from decrypted output slots. */
  public double[][] unpackLogits(double[] slots, int count) {
    if (slots.length < parameters.slots() || count < 1 || count > tokens) {
      throw new IllegalArgumentException("cannot unpack " + count + " rows of " + slots.length + " slots");
    }
    double[][] out = new double[count][];
    for (int t = 0; t < count; t++) {
      out[t] = Arrays.copyOfRange(slots, t * rowStride, t * rowStride + vocab);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ClientModel(" + name() + ", refresh " + refresh + ", " + parameters + ")";
  }
}
