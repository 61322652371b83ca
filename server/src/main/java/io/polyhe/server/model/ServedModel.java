package io.polyhe.server.model;

import com.google.protobuf.ByteString;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormat;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.FoldedWeights;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.encrypted.SlotLayout;
import io.polyhe.models.forward.Transformer;
import io.polyhe.proto.v1.InputEmbedding;
import io.polyhe.proto.v1.ModelInfo;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.Tokenizer;
import io.polyhe.models.config.TokenizerSpec;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One model as the server runs it: the encrypted transformer with its planned CKKS parameters, the
 * context all its sessions share, the Galois elements a session must provide, and the manifest
 * clients read. In a bootstrapping {@link RefreshMode} the model is compiled for the bootstrapping
 * chain (its circuit uses the levels below the bootstrap's output level), the Galois elements are
 * the model's and the bootstrap circuit's, and the bootstrap circuit (DFT factors, EvalMod: seconds
 * to build at N = 2^16, parameters only) is built once here; each pass gets its own {@link
 * #bootstrapper} on the session's keys. Immutable after construction, apart from a cache of
 * planned refresh counts; thread-safe.
 */
public final class ServedModel {
  private static final Logger LOG = Logger.getLogger(ServedModel.class.getName());

  private final String name;
  private final RefreshMode refreshMode;
  private final WireFormat format;
  private final EncryptedTransformer encrypted;
  private final CkksContext context;
  /** Keyless: only ever copied onto a pass's evaluator ({@link Bootstrapper#withEvaluator}); null for CLIENT. */
  private final Bootstrapper bootstrapCircuit;
  private final Set<Integer> galoisElements;
  private final ModelManifest manifest;
  private final ConcurrentHashMap<Integer, Integer> plannedRefreshes = new ConcurrentHashMap<>();

  /** As {@link #ServedModel(String, String, Transformer, String, byte[], ComputeBackend, RefreshMode)} with client-aided refresh. */
  public ServedModel(String name, String description, Transformer model, String configJson, byte[] modelHash,
      ComputeBackend backend) {
    this(name, description, model, configJson, modelHash, backend, RefreshMode.CLIENT);
  }

  /**
   * Plans parameters for {@code model} and {@code refreshMode} and builds its manifest.
   *
   * @param name the name clients use
   * @param description one line for listings
   * @param configJson the model's config.json text (published in the manifest)
   * @param modelHash SHA-256 of the model's files
   * @throws IllegalArgumentException if the model's rows take more than one ciphertext (the
   *     protocol carries one input ciphertext per pass for now), or no bootstrapping parameters fit it
   */
  public ServedModel(String name, String description, Transformer model, String configJson, byte[] modelHash,
      ComputeBackend backend, RefreshMode refreshMode) {
    this(name, description, model, configJson, modelHash, backend, refreshMode, WireFormat.POLYHE);
  }

  /**
   * As {@link #ServedModel(String, String, Transformer, String, byte[], ComputeBackend, RefreshMode)}
   * with the HE objects in {@code format} (and its CKKS profile).
   *
   * @throws IllegalArgumentException also for a bootstrapping refresh mode with a format other than
   *     polyhe's (SEAL has no bootstrapping, and its clients answer refresh requests)
   */
  public ServedModel(String name, String description, Transformer model, String configJson, byte[] modelHash,
      ComputeBackend backend, RefreshMode refreshMode, WireFormat format) {
    this(name, description, model, configJson, modelHash, backend, refreshMode, format, java.util.Optional.empty());
  }

  /**
   * As {@link #ServedModel(String, String, Transformer, String, byte[], ComputeBackend, RefreshMode,
   * WireFormat)} with Galois keys for at most {@code rotationKeys} rotation steps when present
   * ({@link EncryptedTransformer#withRotationKeys}); the manifest's Galois elements follow.
   */
  public ServedModel(String name, String description, Transformer model, String configJson, byte[] modelHash,
      ComputeBackend backend, RefreshMode refreshMode, WireFormat format, java.util.Optional<Integer> rotationKeys) {
    this.name = name;
    this.refreshMode = refreshMode;
    this.format = format;
    if (format != WireFormat.POLYHE && refreshMode != RefreshMode.CLIENT) {
      throw new IllegalArgumentException("--format " + format.name() + " serves client-aided refresh only"
          + " (--refresh client)");
    }
    LevelPlanner.BootstrapChoice choice = switch (refreshMode) {
      case CLIENT -> null;
      case BOOTSTRAP -> LevelPlanner.chooseForBootstrapping(model);
      case INSECURE_TEST_BOOTSTRAP -> LevelPlanner.insecureBootstrappingForTestsOnly(model);
    };
    EncryptedTransformer compiled = choice == null ? format.compile(model) : choice.model();
    this.encrypted = rotationKeys.isPresent() ? compiled.withRotationKeys(rotationKeys.get()) : compiled;
    if (encrypted.layout().ciphertexts() > 1) {
      throw new IllegalArgumentException("model '" + name + "' needs " + encrypted.layout().ciphertexts()
          + " ciphertexts per input (" + encrypted.layout().toJson() + "); the service carries one: run it with"
          + " `polyhe run` or `polyhe bench model`");
    }
    CkksParameters params = encrypted.parameters();
    this.context = CkksContext.create(params, backend);
    int[] elements = encrypted.galoisElements();
    if (choice == null) {
      this.bootstrapCircuit = null;
    } else {
      long start = System.nanoTime();
      this.bootstrapCircuit = new Bootstrapper(new Evaluator(context), choice.bootstrap());
      double seconds = (System.nanoTime() - start) / 1e9;
      if (bootstrapCircuit.outputLevel() != encrypted.topLevel()) {
        throw new IllegalStateException("bootstrapping comes out at level " + bootstrapCircuit.outputLevel()
            + " but model '" + name + "' was compiled for top level " + encrypted.topLevel());
      }
      // The model's elements under the rotation-key budget, with the bootstrap circuit's.
      elements = new LevelPlanner.BootstrapChoice(encrypted, choice.bootstrap()).galoisElements();
      LOG.info(String.format("model %s: bootstrap circuit built in %.2f s (%d Galois elements with the model's)",
          name, seconds, elements.length));
    }
    this.galoisElements = Arrays.stream(elements).boxed().collect(Collectors.toUnmodifiableSet());
    this.manifest = buildManifest(name, description, model, configJson, modelHash, elements);
  }

  private ModelManifest buildManifest(String name, String description, Transformer model, String configJson,
      byte[] modelHash, int[] elements) {
    CkksParameters params = encrypted.parameters();
    SlotLayout layout = encrypted.layout();
    var literal = io.polyhe.proto.v1.CkksParameters.newBuilder()
        .setLogN(params.logN())
        .setLogDefaultScale(Math.getExponent(params.defaultScale()))
        .setDnum(params.rlwe().dnum())
        .setMaxLevel(params.maxLevel())
        .setSlots(params.slots())
        .setParametersHash(ByteString.copyFrom(params.rlwe().hash()))
        .setEncoded(ByteString.copyFrom(HeFormat.write(params)));
    for (long q : params.rlwe().qPrimes()) {
      literal.addLogQ(64 - Long.numberOfLeadingZeros(q));
    }
    for (long p : params.rlwe().pPrimes()) {
      literal.addLogP(64 - Long.numberOfLeadingZeros(p));
    }
    TokenizerSpec spec = model.config().tokenizer();
    FoldedWeights folded = encrypted.foldedWeights();
    int d = model.config().hiddenSize();
    InputEmbedding.Builder embedding = InputEmbedding.newBuilder().setWidth(d);
    // inputRow(v, t) = centre(tok_v + pos_t) = centre(tok_v) + centre(pos_t): centring is linear,
    // so two small tables replace a vocab × context one. A rotary model has no position table and
    // ships none (an empty position_rows), not a zero one.
    double[] tok = model.weights().tokenEmbedding();
    for (int v = 0; v < model.config().vocabSize(); v++) {
      for (double x : maybeCentre(tok, v, d, folded.centred())) {
        embedding.addTokenRows(x);
      }
    }
    if (model.weights().hasPositionEmbedding()) {
      double[] pos = model.weights().positionEmbedding();
      for (int t = 0; t < model.config().maxPositions(); t++) {
        for (double x : maybeCentre(pos, t, d, folded.centred())) {
          embedding.addPositionRows(x);
        }
      }
    }
    ModelManifest.Builder m = ModelManifest.newBuilder()
        .setInfo(ModelInfo.newBuilder().setName(name).setDescription(description)
            .setModelHash(ByteString.copyFrom(modelHash)))
        .setConfigJson(configJson)
        .setVocabSize(model.config().vocabSize())
        .setMaxTokens(model.config().maxPositions())
        .setParameters(literal)
        .setSlotLayout(io.polyhe.proto.v1.SlotLayout.newBuilder().setTokens(layout.tokens())
            .setWidth(layout.width()).setRowStride(layout.rowStride()).setSlots(layout.slots())
            .setJson(layout.toJson()))
        .setInputLevel(encrypted.topLevel())
        .setInputScale(encrypted.streamScale())
        .setTokenizer(Tokenizer.newBuilder().setKind(spec.kind()).addAllVocab(spec.vocab()).setPad(spec.pad())
            .setBos(spec.bos()).setEos(spec.eos()).setDefinition(spec.definition()))
        .setInputEmbedding(embedding)
        .setLogitsRowStride(layout.rowStride())
        .setRefresh(refreshMode.manifestValue())
        .setCiphertextFormat(format.manifestValue());
    for (int g : elements) {
      m.addGaloisElements(g);
    }
    format.describe(params, m);
    return m.build();
  }

  private static double[] maybeCentre(double[] table, int row, int d, boolean centre) {
    double[] x = Arrays.copyOfRange(table, row * d, (row + 1) * d);
    if (centre) {
      double mu = Arrays.stream(x).sum() / d;
      for (int i = 0; i < d; i++) {
        x[i] -= mu;
      }
    }
    return x;
  }

  public String name() {
    return name;
  }

  public EncryptedTransformer encrypted() {
    return encrypted;
  }

  /** The context every session of this model computes in. */
  public CkksContext context() {
    return context;
  }

  public CkksParameters parameters() {
    return encrypted.parameters();
  }

  public RefreshMode refreshMode() {
    return refreshMode;
  }

  /** How this model's keys and ciphertexts travel. */
  public WireFormat format() {
    return format;
  }

  /** The level inputs are encrypted at: the top level, or the bootstrap's output level. */
  public int inputLevel() {
    return encrypted.topLevel();
  }

  /**
   * A bootstrapper for one pass on {@code evaluator}'s keys (its own counts and listener), sharing
   * the circuit built once for this model.
   *
   * @throws IllegalStateException if this model refreshes client-aided
   */
  public Bootstrapper bootstrapper(Evaluator evaluator) {
    if (bootstrapCircuit == null) {
      throw new IllegalStateException("model '" + name + "' refreshes client-aided");
    }
    return bootstrapCircuit.withEvaluator(evaluator);
  }

  /**
   * Serialised bytes of the keys a session uploads: the relinearisation key and one per Galois
   * element (at most that, for a format whose objects may be compressed).
   */
  public long keyBytesPerSession() {
    return format.maxKeyBytes(parameters()) * (1L + galoisElements.size());
  }

  /** The Galois elements a session's keys must cover. */
  public Set<Integer> galoisElements() {
    return galoisElements;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public ModelInfo info() {
    return manifest.getInfo();
  }

  /** Refreshes the plan makes for {@code tokens} rows (for progress reports). */
  public int plannedRefreshes(int tokens) {
    return plannedRefreshes.computeIfAbsent(tokens, t -> LevelPlanner.plan(encrypted, t).refreshes());
  }

  @Override
  public String toString() {
    return "ServedModel(" + name + ", refresh " + refreshMode.manifestName() + ", format " + format.name() + ", "
        + encrypted.parameters() + ")";
  }
}
