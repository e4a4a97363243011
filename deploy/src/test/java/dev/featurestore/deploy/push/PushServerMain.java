package dev.featurestore.deploy.push;

import dev.featurestore.deploy.FeatureStoreConfig;
import dev.featurestore.deploy.server.FeatureServer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A feature server in a process of its own, for tests that kill it: starts the server on a free loopback port and
 * prints {@code READY <port>} once it serves, then runs until it is killed.
 *
 * <p>Arguments: data directory, online store URI, push flush interval (ISO-8601).
 */
public final class PushServerMain {
  private PushServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    FeatureStoreConfig config = FeatureStoreConfig.builder()
        .dataDir(Path.of(args[0]))
        .onlineStore(args[1])
        .pushFlushInterval(Duration.parse(args[2]))
        .host("127.0.0.1")
        .port(0)
        .build();
    FeatureServer server = FeatureServer.start(config);
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
