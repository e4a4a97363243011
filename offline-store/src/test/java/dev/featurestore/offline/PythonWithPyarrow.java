package dev.featurestore.offline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Python interpreter that can import pyarrow.flight, made once into a virtual environment with the machine's pip;
 * a test that cannot have one is skipped (a JUnit assumption), saying why.
 */
final class PythonWithPyarrow {
  private PythonWithPyarrow() {}

  record Result(int exitCode, String stdout, String stderr) {}

  static Path find(Path venv) {
    Path python = venv.resolve("bin").resolve("python");
    if (Files.isExecutable(python) && importsPyarrow(python)) {
      return python;
    }
    Result created = run(List.of("python3", "-m", "venv", "--clear", venv.toString()), 120);
    Assumptions.assumeTrue(created.exitCode() == 0,
        () -> "Skipped: cannot make a Python virtual environment: " + created.stderr());
    Result installed = run(List.of(python.toString(), "-m", "pip", "install", "--quiet", "pyarrow"), 600);
    Assumptions.assumeTrue(installed.exitCode() == 0 && importsPyarrow(python),
        () -> "Skipped: cannot install pyarrow with pip here: " + installed.stderr());
    return python;
  }

  private static boolean importsPyarrow(Path python) {
    return run(List.of(python.toString(), "-c", "import pyarrow.flight"), 60).exitCode() == 0;
  }

  static Result run(List<String> command, long timeoutSeconds) {
    try {
      Path stdout = Files.createTempFile("python-out", ".txt");
      Path stderr = Files.createTempFile("python-err", ".txt");
      try {
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return new Result(-1, "", "timed out after " + timeoutSeconds + " s: " + command);
        }
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
            Files.readString(stderr, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      // no python3 on the PATH at all
      return new Result(-1, "", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("Interrupted while running " + command, e));
    }
  }
}
