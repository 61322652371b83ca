package io.polyhe.cli.models;

import picocli.CommandLine.Command;

/** {@code polyhe models}: lists and evaluates the shipped models (filled in by the models issue). */
@Command(name = "models", description = "List and evaluate the shipped models.")
public final class ModelsCommand implements Runnable {
  @Override
  public void run() {
    throw new UnsupportedOperationException("polyhe models is not implemented yet");
  }
}
