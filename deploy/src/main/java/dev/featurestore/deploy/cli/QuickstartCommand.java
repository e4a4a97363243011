package dev.featurestore.deploy.cli;

import dev.featurestore.deploy.quickstart.Quickstart;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = {
      "Runs the whole path on the embedded default, in this process, printing each step: declares an example "
          + "(entities user and merchant, three views, the feature service fraud_model) with the SDK, applies it, "
          + "ingests two weeks of generated history into Iceberg, builds a point-in-time training set, starts the "
          + "server, materializes to the online store, reads features over gRPC and pushes a fresh value.",
      "Starts from an empty directory each time."
    })
final class QuickstartCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", defaultValue = "fs-data/quickstart", paramLabel = "DIR",
      description = "Where the quickstart writes everything; emptied first (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public void run() {
    new Quickstart(dir, out(), Clock.systemUTC()).run();
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
