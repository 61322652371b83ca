package io.polyhe.cli.models;

import io.polyhe.models.Model;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.config.Attention;
import io.polyhe.models.config.ModelConfig;
import io.polyhe.models.forward.Transformer;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code polyhe models list}: one line per shipped model: architecture, attention, shape, size. */
@Command(name = "list", description = "List the shipped models.", mixinStandardHelpOptions = true)
final class ListModelsCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    try {
      System.out.printf("%-16s %-14s %-14s %-30s %9s  %s%n", "name", "architecture", "attention", "shape", "params",
          "description");
      for (ShippedModels.Entry e : ShippedModels.list()) {
        Transformer m = ShippedModels.load(e.name());
        ModelConfig c = m.config();
        String attention =
            switch (c.attention()) {
              case Attention.Softmax s -> "softmax";
              case Attention.PowerSoftmax p -> "power p=" + p.power();
            };
        String shape =
            c.numLayers() + "L d" + c.hiddenSize() + " h" + c.numHeads() + " ff" + c.intermediateSize()
                + " ctx" + c.maxPositions() + " V" + c.vocabSize();
        String baseline = e.baseline().map(b -> " (baseline: " + b + ")").orElse("");
        String architecture = c.isNeoX() ? "GPT-NeoX" : "polyhe-decoder";
        System.out.printf("%-16s %-14s %-14s %-30s %9d  %s%s%n", e.name(), architecture, attention, shape,
            Model.parameterCount(c), e.description(), baseline);
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("polyhe models list: " + e.getMessage());
      return 1;
    }
  }
}
