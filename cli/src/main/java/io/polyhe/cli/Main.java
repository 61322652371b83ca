package io.polyhe.cli;

import io.polyhe.cli.bench.BenchCommand;
import io.polyhe.cli.models.ModelsCommand;
import io.polyhe.cli.run.RunCommand;
import io.polyhe.cli.service.CertsCommand;
import io.polyhe.cli.service.DemoCommand;
import io.polyhe.cli.service.InferCommand;
import io.polyhe.cli.service.KeysCommand;
import io.polyhe.cli.service.ServeCommand;
import io.polyhe.cli.service.SoakCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code polyhe} command line; dispatches to the subcommands. */
@Command(
    name = "polyhe",
    mixinStandardHelpOptions = true,
    version = "polyhe 0.1.0",
    description = "Privacy-preserving inference of polynomial transformers under CKKS.",
    subcommands = {DemoCommand.class, RunCommand.class, ServeCommand.class, InferCommand.class, KeysCommand.class,
        CertsCommand.class, BenchCommand.class, ModelsCommand.class, SoakCommand.class})
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    // One line per log record (the server's access log), unless the user chose a format.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(Main::reportFailure);
    int code = cli.execute(args);
    System.exit(code);
  }

  /**
   * Prints a failed command's reason on stderr as one line per cause, without a stack trace (set
   * {@code POLYHE_DEBUG=1} for the trace), and exits with 1 (2 for bad input).
   */
  private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    StringBuilder message = new StringBuilder("polyhe " + cmd.getCommandName() + ": " + e.getMessage());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      message.append("\n  caused by: ").append(c);
    }
    cmd.getErr().println(message);
    if ("1".equals(System.getenv("POLYHE_DEBUG"))) {
      for (StackTraceElement frame : e.getStackTrace()) {
        cmd.getErr().println("    at " + frame);
      }
    }
    return e instanceof IllegalArgumentException ? 2 : 1;
  }
}
