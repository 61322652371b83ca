package io.polyhe.cli;

import io.polyhe.cli.bench.BenchCommand;
import io.polyhe.cli.models.ModelsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code polyhe} command line; dispatches to the subcommands. */
@Command(
    name = "polyhe",
    mixinStandardHelpOptions = true,
    version = "polyhe 0.1.0",
    description = "Privacy-preserving inference of polynomial transformers under CKKS.",
    subcommands = {BenchCommand.class, ModelsCommand.class})
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }
}
