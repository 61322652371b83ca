package io.polyhe.local;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.circuits.bootstrap.BootstrapParameters;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import io.polyhe.models.encrypted.CancellableArithmetic;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.encrypted.NttTimingBackend;
import io.polyhe.models.encrypted.PassEngine;
import io.polyhe.models.encrypted.PassRunner;
import io.polyhe.models.encrypted.RefreshPoints;
import io.polyhe.models.encrypted.SlotCodec;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import java.util.ArrayList;
import java.util.List;

/**
 * Client and server in one process: keys made here, inputs packed and encrypted, the encrypted pass
 * run with in-process client-aided refresh, logits decrypted and compared with the poly-plain pass.
 * With {@link BootstrapParameters} the refreshes are non-interactive bootstraps instead.
 * This is what {@code polyhe run}, the model benchmarks and the end-to-end tests use; the service
 * splits the same steps between client and server, and both run the pass through the same {@link
 * PassRunner}. The pass runs on the heap, or on the {@link PassEngine} a factory makes (the CLI's
 * {@code native-resident}: ciphertexts, keys and weights resident on a device); encryption,
 * decryption and refreshes stay here. Holds a secret key: its module is not a dependency of the
 * server. One pass at a time (not thread-safe). {@link #close()} frees the engine's device memory.
 */
public final class LocalInference implements AutoCloseable {
  private final EncryptedTransformer model;
  private final CkksContext context;
  private final SecretKey secretKey;
  private final EvaluationKeys keys;
  private final CkksEncoder encoder;
  private final SymmetricEncryptor encryptor;
  private final Decryptor decryptor;
  private final Refresher refresher;
  private final Bootstrapper bootstrapper;
  private final PassEngine<?> engine;
  private final SlotCodec codec;
  private final double keySeconds;

  /**
   * One forward pass.
   *
   * @param tokens the input
   * @param logits decrypted logits {@code [tokens][vocab]}
   * @param reference poly-plain logits of the same tokens
   * @param refreshes refreshes made
   * @param points every refresh check of the pass
   * @param breakdown where the time went
   * @param seconds wall time of the encrypted pass (encryption and decryption included)
   * @param forwardSeconds wall time of the pass on ciphertexts alone, refreshes included: the
   *     server's share, to compare with a served pass's server time
   */
  public record Pass(int[] tokens, double[][] logits, double[][] reference, int refreshes,
      List<RefreshPoints.Point> points, LatencyBreakdown breakdown, double seconds, double forwardSeconds) {

    /** Max |encrypted - poly-plain| over all logits. */
    public double maxAbsError() {
      double m = 0;
      for (int t = 0; t < logits.length; t++) {
        for (int v = 0; v < logits[t].length; v++) {
          m = Math.max(m, Math.abs(logits[t][v] - reference[t][v]));
        }
      }
      return m;
    }

    /** Mean squared error of the logits against poly-plain. */
    public double mse() {
      double s = 0;
      long n = 0;
      for (int t = 0; t < logits.length; t++) {
        for (int v = 0; v < logits[t].length; v++) {
          double e = logits[t][v] - reference[t][v];
          s += e * e;
          n++;
        }
      }
      return s / n;
    }

    /** Fraction of positions whose top-1 token agrees with poly-plain. */
    public double top1Agreement() {
      int same = 0;
      for (int t = 0; t < logits.length; t++) {
        same += GreedyGenerator.argmax(logits[t]) == GreedyGenerator.argmax(reference[t]) ? 1 : 0;
      }
      return (double) same / logits.length;
    }
  }

  /**
   * Makes the keys the model needs (secret, relinearisation, its Galois elements) on {@code
   * backend}.
   */
  public LocalInference(EncryptedTransformer model, ComputeBackend backend, SeedSource seeds) {
    this(model, backend, seeds, (BootstrapParameters) null);
  }

  /**
   * As {@link #LocalInference(EncryptedTransformer, ComputeBackend, SeedSource)}; with {@code
   * bootstrap} non-null, refreshes are non-interactive bootstraps of that shape (the keys then
   * include the bootstrap's Galois elements) instead of client-aided ones.
   *
   * @throws IllegalArgumentException if the bootstrap does not come out at the model's top level
   */
  public LocalInference(EncryptedTransformer model, ComputeBackend backend, SeedSource seeds,
      BootstrapParameters bootstrap) {
    this(model, backend, seeds, bootstrap, PassEngine.Factory.HEAP);
  }

  /**
   * As {@link #LocalInference(EncryptedTransformer, ComputeBackend, SeedSource)}, the pass running
   * on the engine {@code engines} makes for the keys ({@code backend} then does key generation,
   * encryption, decryption and refreshes).
   *
   * @throws IllegalArgumentException if the engine cannot run here
   */
  public LocalInference(EncryptedTransformer model, ComputeBackend backend, SeedSource seeds,
      PassEngine.Factory engines) {
    this(model, backend, seeds, null, engines);
  }

  private LocalInference(EncryptedTransformer model, ComputeBackend backend, SeedSource seeds,
      BootstrapParameters bootstrap, PassEngine.Factory engines) {
    this.model = model;
    // Timed, so that the pass runner reads each pass's NTTs from it (as the server's context is).
    this.context = CkksContext.create(model.parameters(), new NttTimingBackend(backend));
    long start = System.nanoTime();
    KeyGenerator keygen = new KeyGenerator(context.rlwe(), seeds);
    this.secretKey = keygen.generateSecretKey();
    int[] galois = bootstrap == null ? model.galoisElements()
        : new LevelPlanner.BootstrapChoice(model, bootstrap).galoisElements();
    this.keys = keygen.generateEvaluationKeys(secretKey, galois);
    this.keySeconds = (System.nanoTime() - start) / 1e9;
    this.encoder = new CkksEncoder(context);
    this.encryptor = new SymmetricEncryptor(context.rlwe(), secretKey, seeds);
    this.decryptor = new Decryptor(context.rlwe(), secretKey);
    Evaluator evaluator = new Evaluator(context, keys);
    if (bootstrap != null) {
      this.bootstrapper = new Bootstrapper(evaluator, bootstrap);
      if (bootstrapper.outputLevel() != model.topLevel()) {
        throw new IllegalArgumentException("bootstrapping comes out at level " + bootstrapper.outputLevel()
            + " but the model was compiled for top level " + model.topLevel());
      }
      this.refresher = bootstrapper;
    } else {
      this.bootstrapper = null;
      this.refresher = new ClientAidedRefresher(context, secretKey, seeds);
    }
    this.engine = engines.create(evaluator);
    this.codec = new SlotCodec(model.foldedWeights(), model.layout(), model.model().config().vocabSize());
  }

  public EncryptedTransformer model() {
    return model;
  }

  /** Seconds key generation took. */
  public double keySeconds() {
    return keySeconds;
  }

  /** Number of Galois keys made. */
  public int galoisKeys() {
    return keys.galoisKeys().size();
  }

  /** Refreshes and bytes of every pass so far. */
  public Refresher.RefreshStats refreshStats() {
    return refresher.stats();
  }

  /** Encrypts {@code tokens}, runs the pass, decrypts, and compares with poly-plain. */
  public Pass forward(int[] tokens) {
    return forward(tokens, new LatencyRecorder());
  }

  /**
   * As {@link #forward(int[])}, recording into {@code recorder} (several passes may share one; the
   * pass's breakdown then covers all of them so far).
   */
  public Pass forward(int[] tokens, LatencyRecorder recorder) {
    long start = System.nanoTime();
    RefreshPoints<Ciphertext> points = RefreshPoints.using(refresher);
    double[][] logits;
    double forwardSeconds;
    // Opened before the input is encrypted: the pass's NTT figure covers encryption and decryption.
    try (PassRunner pass = new PassRunner(model, engine, recorder, CancellableArithmetic.Check.NEVER,
        bootstrapper)) {
      List<Ciphertext> inputs = new ArrayList<>();
      try (var s = recorder.span("input", Component.ENCODE_OTHER)) {
        for (double[] tile : codec.packTiles(tokens)) {
          inputs.add(encryptor.encrypt(encoder.encode(tile, model.topLevel(), model.streamScale())));
        }
      }
      List<Ciphertext> out = pass.forward(inputs, tokens.length, points);
      forwardSeconds = pass.forwardSeconds();
      try (var s = recorder.span("output", Component.ENCODE_OTHER)) {
        double[][] slots = new double[out.size()][];
        for (int a = 0; a < slots.length; a++) {
          slots[a] = encoder.decode(decryptor.decrypt(out.get(a)));
        }
        logits = codec.unpackLogitsTiles(slots, tokens.length);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[][] reference = model.model().logits(tokens, Mode.POLY_PLAIN);
    return new Pass(tokens.clone(), logits, reference, points.refreshes(), points.points(), recorder.breakdown(),
        seconds, forwardSeconds);
  }

  /** Where the pass runs. */
  public PassEngine<?> engine() {
    return engine;
  }

  /** Frees what the engine holds (a resident device's keys and weights); the heap engine holds nothing. */
  @Override
  public void close() {
    engine.close();
  }

  /** True if refreshes are non-interactive bootstraps. */
  public boolean bootstraps() {
    return bootstrapper != null;
  }

  /** Last row's argmax (the greedy next token). */
  public static int nextToken(Pass pass) {
    return GreedyGenerator.argmax(pass.logits()[pass.logits().length - 1]);
  }

  @Override
  public String toString() {
    return "LocalInference(" + model + ", " + galoisKeys() + " Galois keys, " + engine.name() + ")";
  }
}
