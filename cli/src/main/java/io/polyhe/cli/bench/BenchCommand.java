package io.polyhe.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code polyhe bench}: benchmarks; each subcommand measures one area. */
@Command(name = "bench", description = "Benchmarks (medians, JSON with --json).", subcommands = {CkksBenchCommand.class, CircuitsBenchCommand.class, ModelBenchCommand.class, BootstrapBenchCommand.class, CountsBenchCommand.class})
public final class BenchCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
