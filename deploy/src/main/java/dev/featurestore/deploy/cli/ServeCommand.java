package dev.featurestore.deploy.cli;

import dev.featurestore.deploy.server.FeatureServer;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
      "Starts the server: the registry and online feature gRPC services on one port, and training sets over Arrow "
          + "Flight on another (--flight-port, default 8815).",
      "With the defaults it runs an embedded Hazelcast member (port 5701) as the online store and the registry in "
          + "<data-dir>/registry.db. Stops on Ctrl-C."
    })
final class ServeCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Override
  public void run() {
    FeatureServer server = FeatureServer.start(config.toConfig());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "fstore-shutdown"));
    out().printf("fstore serving on %s:%d (registry version %d, online store %s); Ctrl-C stops%n",
        config.host, server.port(), server.registry().current().version(), config.onlineStore);
    if (server.flightPort() >= 0) {
      out().printf("training sets over Arrow Flight on grpc://%s:%d%n", config.host, server.flightPort());
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
