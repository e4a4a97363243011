package dev.featurestore.deploy.cli;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the command line: one subcommand per task. Errors print one line, never a stack trace. */
@Command(
    name = "fstore",
    mixinStandardHelpOptions = true,
    version = "fstore 0.1.0",
    description = "A point-in-time correct feature store: declare, ingest, train, materialize and serve features.",
    subcommands = {
      ServeCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      IngestCommand.class,
      TrainingSetCommand.class,
      MaterializeCommand.class,
      MaterializeIncrementalCommand.class,
      CompactCommand.class,
      ExpireSnapshotsCommand.class,
      PushCommand.class,
      GetOnlineCommand.class,
      LogTrainingSetCommand.class,
      AnalyzeExperimentCommand.class,
      QuickstartCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FstoreCommand implements Runnable {
  /** Exit code of a refused request (bad input, unknown name, incompatible change). */
  public static final int EXIT_REFUSED = 2;
  /** Exit code of a failure the same command may not hit when retried (a service down). */
  public static final int EXIT_FAILED = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The configured command line, as {@code main} runs it and as tests drive it. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new FstoreCommand());
    commandLine.setExecutionExceptionHandler((failure, line, parseResult) -> {
      line.getErr().println("fstore " + line.getCommandName() + ": " + describe(failure));
      boolean refused = failure instanceof InvalidRequestException || failure instanceof NotFoundException
          || failure instanceof IncompatibleChangeException;
      return refused ? EXIT_REFUSED : EXIT_FAILED;
    });
    return commandLine;
  }

  private static String describe(Throwable failure) {
    if (failure instanceof FeatureStoreException || failure instanceof java.io.UncheckedIOException) {
      return failure.getMessage();
    }
    return failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }
}
