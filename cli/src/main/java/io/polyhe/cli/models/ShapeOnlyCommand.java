package io.polyhe.cli.models;

import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.config.Norm;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.shapeonly.ModelShape;
import io.polyhe.models.shapeonly.ShapeOnlyGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe models shape-only}: writes a random-weight model of any shape (Pythia-70M's by
 * default) with calibrated approximations, for latency benchmarks.
 */
@Command(name = "shape-only", description = "Write a random-weight model of a given shape (default: Pythia-70M's).", mixinStandardHelpOptions = true)
final class ShapeOnlyCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Directory to write config.json and model.safetensors to.")
  Path out;

  @Option(names = "--name", defaultValue = "pythia70m-shape", description = "Model name (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--layers", defaultValue = "6") int layers;
  @Option(names = "--d-model", defaultValue = "512") int dModel;
  @Option(names = "--heads", defaultValue = "8") int heads;
  @Option(names = "--d-ff", defaultValue = "2048") int dFf;
  @Option(names = "--context", defaultValue = "128") int context;
  @Option(names = "--vocab", defaultValue = "50304") int vocab;

  @Option(names = "--attention", defaultValue = "power_softmax", description = "power_softmax or softmax (default: ${DEFAULT-VALUE}).")
  String attention;

  @Option(names = "--power", defaultValue = "4") int power;
  @Option(names = "--epsilon", defaultValue = "0.01") double epsilon;

  @Option(names = "--norm", defaultValue = "layernorm", description = "layernorm or rmsnorm (default: ${DEFAULT-VALUE}).")
  String norm;

  @Option(names = "--seed", defaultValue = "1") long seed;

  @Option(names = "--calibration-sequences", defaultValue = "4", description = "Random sequences the ranges are calibrated on (default: ${DEFAULT-VALUE}).")
  int sequences;

  @Override
  public Integer call() {
    try {
      ModelShape shape = new ModelShape(layers, dModel, heads, dFf, context, vocab);
      Attention att =
          switch (attention) {
            case "power_softmax" -> new Attention.PowerSoftmax(power, epsilon);
            case "softmax" -> new Attention.Softmax();
            default -> throw new IllegalArgumentException("--attention must be power_softmax or softmax");
          };
      String command =
          String.format(
              "./polyhe models shape-only --out %s --name %s --layers %d --d-model %d --heads %d --d-ff %d"
                  + " --context %d --vocab %d --attention %s --power %d --epsilon %s --norm %s --seed %d"
                  + " --calibration-sequences %d",
              out, name, layers, dModel, heads, dFf, context, vocab, attention, power, epsilon, norm, seed, sequences);
      long t0 = System.nanoTime();
      Transformer m =
          ShapeOnlyGenerator.write(
              new ShapeOnlyGenerator.Request(name, shape, att, new Norm(Norm.Kind.parse(norm), 1e-5), seed, sequences, command),
              out);
      ModelConfig c = m.config();
      System.out.printf("wrote %s: %,d parameters, %.1f s%n", out, shape.parameters(), (System.nanoTime() - t0) / 1e9);
      c.approximations().ifPresent(a -> {
        System.out.printf("  1/sqrt   on [%.4g, %.4g]: guess degree %d + %d Newton iterations%n",
            a.normInverseSqrt().lo(), a.normInverseSqrt().hi(), a.normInverseSqrt().guess().degree(), a.normInverseSqrt().iterations());
        if (c.attention() instanceof Attention.PowerSoftmax) {
          System.out.printf("  1/x      on [%.4g, %.4g]: guess degree %d + %d Newton iterations%n",
              a.attentionInverse().lo(), a.attentionInverse().hi(), a.attentionInverse().guess().degree(), a.attentionInverse().iterations());
        }
        System.out.printf("  GELU     on [%.4g, %.4g]: Chebyshev degree %d%n",
            a.activation().series().a(), a.activation().series().b(), a.activation().series().degree());
      });
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("polyhe models shape-only: " + e.getMessage());
      return 1;
    }
  }
}
