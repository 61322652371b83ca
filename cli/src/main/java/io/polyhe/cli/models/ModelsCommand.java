package io.polyhe.cli.models;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code polyhe models}: lists, evaluates and generates models; each subcommand does one thing. */
@Command(
    name = "models",
    description = "List and evaluate the shipped models; generate shape-only models.",
    subcommands = {ListModelsCommand.class, EvalModelsCommand.class, ShapeOnlyCommand.class})
public final class ModelsCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
