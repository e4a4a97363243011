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
 * A real Redis server for tests and benchmarks, on a free loopback port, without persistence (so loading measures
 * memory writes, not disk): {@code redis-server} from the PATH, or the binary bundled with the
 * {@code embedded-redis} artifact when there is none. Close it to stop it. The benchmarks module uses it from this
 * module's test-jar.
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
    String binary = findOnPath("redis-server");
    if (binary != null) {
      return launch(binary, port, options);
    }
    if (!options.isEmpty()) {
      throw new IllegalStateException("Cannot start redis-server with " + options + ": none on the PATH");
    }
    RedisServer embedded;
    try {
      embedded = new RedisServer(port, List.of("bind 127.0.0.1", "save \"\"", "appendonly no"), false);
      embedded.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start redis-server on port " + port, e);
    }
    return awaitAccepting(new RedisServerProcess(port, null, embedded));
  }

  /**
   * Starts the Redis server {@code binary} (a path, or a name looked up on the PATH) on a free port, for callers
   * that choose which one to measure (the benchmarks), and waits until it accepts connections.
   *
   * @throws IllegalStateException when {@code binary} is not an executable file or not on the PATH
   */
  public static RedisServerProcess start(String binary) {
    String executable = binary.contains(File.separator) ? binary : findOnPath(binary);
    if (executable == null || !Files.isExecutable(Path.of(executable))) {
      throw new IllegalStateException("Cannot start Redis: " + (executable == null ? "no " + binary
          + " on the PATH" : binary + " is not an executable file") + " (install redis-server, or give the path of"
          + " one)");
    }
    return launch(executable, freePort(), List.of());
  }

  private static RedisServerProcess launch(String binary, int port, List<String> options) {
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
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + binary + " on port " + port, e);
    }
    return awaitAccepting(new RedisServerProcess(port, process, null));
  }

  private static RedisServerProcess awaitAccepting(RedisServerProcess server) {
    try {
      Awaitility.await("redis-server on port " + server.port)
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
