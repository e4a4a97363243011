package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.deploy.server.Components;
import dev.featurestore.registry.Plan;
import dev.featurestore.registry.Registry;
import dev.featurestore.sdk.DefinitionsYaml;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {
      "Shows what applying a definitions file would change (added, changed, removed, with the fields) and which "
          + "changes would be refused. Writes nothing.",
      "Exit code 0 when apply would succeed, 2 when it would be refused."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "YAML", description = "The definitions file.")
  Path file;

  @Option(names = "--remote",
      description = "Ask the running server's registry over gRPC (--host/--port) instead of opening it directly.")
  boolean remote;

  @Override
  public Integer call() {
    Definitions definitions = DefinitionsYaml.read(file);
    Plan plan;
    if (remote) {
      plan = RemoteRegistry.plan(config, definitions);
    } else {
      try (Registry registry = Components.openRegistry(config.toConfig())) {
        plan = registry.plan(definitions);
      }
    }
    PlanPrinter.print(plan, out());
    return plan.isAllowed() ? 0 : FstoreCommand.EXIT_REFUSED;
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
