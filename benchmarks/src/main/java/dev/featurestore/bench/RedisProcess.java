package dev.featurestore.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A redis-server process of the benchmark's own, on a free loopback port, without persistence (so loading measures
 * memory writes, not disk). Close it to stop it.
 */
final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Process process;

  private RedisProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /**
   * Starts {@code binary} (a path, or a name looked up on the PATH) and waits until it accepts connections.
   *
   * @throws IllegalStateException when the binary is missing or the server does not come up within 15 seconds
   */
  static RedisProcess start(String binary) {
    String executable = resolve(binary);
    int port = freePort();
    Process process;
    try {
      process = new ProcessBuilder(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + executable + " on port " + port, e);
    }
    RedisProcess redis = new RedisProcess(port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!redis.accepts()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        redis.close();
        throw new IllegalStateException("Cannot start " + executable + " on port " + port + ": "
            + (process.isAlive() ? "it did not accept connections within 15 s" : "it exited"));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return redis;
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
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

  /** A loopback port that was free a moment ago. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port", e);
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String resolve(String binary) {
    if (binary.contains(File.separator)) {
      if (Files.isExecutable(Path.of(binary))) {
        return binary;
      }
      throw new IllegalStateException("Cannot start Redis: " + binary + " is not an executable file");
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, binary);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new IllegalStateException("Cannot start Redis: no " + binary + " on the PATH (install redis-server, or"
        + " pass --redis-server /path/to/redis-server)");
  }
}
