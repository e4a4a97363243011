package dev.featurestore.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@link BenchServer} JVM as the generator sees it: started from the same jar and Java, its progress copied to
 * our output, its server ports read from its first lines, its heap asked for on demand. Closing it ends its input,
 * which stops it; it is killed if it does not exit within 30 seconds.
 */
final class ServerProcess implements AutoCloseable {
  /** What the server JVM reports of itself, after a full GC. */
  record Resources(long heapUsedBytes, long openFiles, int threads) {}

  private final Process process;
  private final BufferedReader control;
  private final Writer input;
  private final Map<String, Integer> ports;

  private ServerProcess(Process process, BufferedReader control, Writer input, Map<String, Integer> ports) {
    this.process = process;
    this.control = control;
    this.input = input;
    this.ports = ports;
  }

  /**
   * Starts the server JVM with {@code jvmOptions} (space separated) and the {@link BenchServer} arguments, and
   * waits until it reports ready (loading the data happens before that).
   */
  static ServerProcess start(String jvmOptions, List<String> serverArgs, PrintStream out) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
    // Hazelcast reaches JDK internals for speed; these are the accesses it asks for on JDK 17.
    command.addAll(List.of("--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    command.addAll(List.of("-cp", ownJar(), BenchServer.class.getName()));
    command.addAll(serverArgs);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the benchmark server JVM: " + command, e);
    }
    BufferedReader control =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Writer input = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Map<String, Integer> ports = new LinkedHashMap<>();
    ServerProcess server = new ServerProcess(process, control, input, ports);
    try {
      String line;
      while ((line = control.readLine()) != null && !line.equals("ready")) {
        String[] words = line.trim().split(" ");
        if (words.length == 3 && words[0].equals("listening")) {
          ports.put(words[1], Integer.parseInt(words[2]));
        } else {
          out.println(line);
        }
      }
      if (line == null) {
        throw new IllegalStateException("Cannot start the benchmark server JVM: it exited before it was ready"
            + " (its output is above)");
      }
      out.printf("the servers run in their own JVM (pid %d, %s)%n", process.pid(), jvmOptions.trim());
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** The port the server of {@code target} listens on, on 127.0.0.1. */
  int port(String target) {
    Integer port = ports.get(target);
    if (port == null) {
      throw new IllegalStateException("Cannot find the server of " + target + ": the server JVM runs " + ports);
    }
    return port;
  }

  /** Asks the server JVM for a full GC and its heap, open files and threads. */
  Resources resources() {
    try {
      input.write("snapshot\n");
      input.flush();
      String line = control.readLine();
      String[] words = line == null ? new String[0] : line.trim().split(" ");
      if (words.length != 4 || !words[0].equals("snapshot")) {
        throw new IllegalStateException("Cannot read the server JVM's resources: it answered " + line);
      }
      return new Resources(Long.parseLong(words[1]), Long.parseLong(words[2]), Integer.parseInt(words[3]));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the server JVM's resources", e);
    }
  }

  /** The CPU time the server JVM used so far, all threads, in nanoseconds. */
  long cpuNanos() {
    try {
      input.write("cpu\n");
      input.flush();
      String line = control.readLine();
      String[] words = line == null ? new String[0] : line.trim().split(" ");
      if (words.length != 2 || !words[0].equals("cpu")) {
        throw new IllegalStateException("Cannot read the server JVM's CPU time: it answered " + line);
      }
      return Long.parseLong(words[1]);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the server JVM's CPU time", e);
    }
  }

  @Override
  public void close() {
    try {
      input.close();
    } catch (IOException e) {
      // It is going away either way.
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String ownJar() {
    try {
      return new File(BenchServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot find the benchmark jar", e);
    }
  }
}
