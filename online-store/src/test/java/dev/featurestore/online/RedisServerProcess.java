package dev.featurestore.online;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import redis.embedded.RedisServer;

/**
 * A real Redis server for tests, on a free loopback port, without persistence: {@code redis-server} from the PATH,
 * or the binary bundled with the {@code embedded-redis} artifact when there is none. Close it to stop it.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *   OnlineStore store = OnlineStores.open(redis.uri());
 * }
 * }</pre>
 */
public final class RedisServerProcess implements AutoCloseable {
  private final int port;
  private final Process process;
  private final RedisServer embedded;

  private RedisServerProcess(int port, Process process, RedisServer embedded) {
    this.port = port;
    this.process = process;
    this.embedded = embedded;
  }

  /** Starts a server and waits until it accepts connections. */
  public static RedisServerProcess start() {
    return start(freePort(), List.of());
  }

  /**
   * Starts {@code redis-server} from the PATH on {@code port} with extra command-line options (for example
   * {@code --cluster-enabled yes}, or a config file followed by {@code --sentinel}) and waits until it accepts
   * connections.
   *
   * @throws IllegalStateException when there is no {@code redis-server} on the PATH
   */
  public static RedisServerProcess start(int port, List<String> options) {
    RedisServerProcess server;
    try {
      String binary = findOnPath("redis-server");
      if (binary != null) {
        List<String> command = new ArrayList<>();
        command.add(binary);
        // A config file must come first; options after it override it.
        int firstOption = 0;
        while (firstOption < options.size() && !options.get(firstOption).startsWith("--")) {
          command.add(options.get(firstOption++));
        }
        command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no"));
        command.addAll(options.subList(firstOption, options.size()));
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        server = new RedisServerProcess(port, process, null);
      } else if (!options.isEmpty()) {
        throw new IllegalStateException("Cannot start redis-server with " + options + ": none on the PATH");
      } else {
        RedisServer embedded = new RedisServer(port, List.of("bind 127.0.0.1", "save \"\"", "appendonly no"), false);
        embedded.start();
        server = new RedisServerProcess(port, null, embedded);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start redis-server on port " + port, e);
    }
    try {
      Awaitility.await("redis-server on port " + port)
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(20))
          .until(server::accepts);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return port;
  }

  /** The Lettuce URI of the server, {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server and waits for the process to end. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (embedded != null) {
      try {
        embedded.stop();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot stop embedded redis on port " + port, e);
      }
    }
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port", e);
    }
  }

  private boolean accepts() {
    if (process != null && !process.isAlive()) {
      throw new IllegalStateException("Cannot start redis-server on port " + port + ": it exited with "
          + process.exitValue());
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
