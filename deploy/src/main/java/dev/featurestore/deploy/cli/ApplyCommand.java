package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.registry.ApplyResult;
import dev.featurestore.registry.Registry;
import dev.featurestore.sdk.DefinitionsYaml;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "apply", mixinStandardHelpOptions = true,
    description = {
      "Makes the registry hold exactly the definitions of a file, as one new version, all or nothing.",
      "Objects left out of the file are removed. A change that would make the online and offline tiers disagree "
          + "(a feature's type, a view's entities, an entity's join keys) refuses the whole apply with the view and "
          + "field named (exit code 2)."
    })
final class ApplyCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "YAML", description = "The definitions file.")
  Path file;

  @Option(names = "--expected-version", paramLabel = "N", defaultValue = "0",
      description = "Refuse unless the registry is still at version N (from a previous plan); 0 skips the check.")
  long expectedVersion;

  @Option(names = "--remote",
      description = "Apply through the running server's registry over gRPC (--host/--port).")
  boolean remote;

  @Override
  public void run() {
    Definitions definitions = DefinitionsYaml.read(file);
    ApplyResult result;
    if (remote) {
      result = RemoteRegistry.apply(config, definitions, expectedVersion);
    } else {
      try (Registry registry = Components.openRegistry(config.toConfig())) {
        result = registry.apply(definitions, expectedVersion);
      }
    }
    if (result.changes().isEmpty()) {
      out().printf("No changes: the registry stays at version %d.%n", result.snapshot().version());
      return;
    }
    PlanPrinter.print(result.snapshot().version() - 1, result.changes(), java.util.List.of(), out());
    out().printf("Applied as registry version %d.%n", result.snapshot().version());
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
