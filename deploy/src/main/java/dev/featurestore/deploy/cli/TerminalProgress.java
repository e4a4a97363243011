package dev.featurestore.deploy.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows the progress of long work (ingest, training set, materialize) as a bar on an interactive terminal and
 * stays silent otherwise (CI logs, pipes), then prints the one-line summary in both cases.
 */
final class TerminalProgress implements AutoCloseable {
  private final ProgressBar bar;
  private boolean closed;

  TerminalProgress(String task, String unit) {
    this.bar = System.console() == null ? null : new ProgressBarBuilder()
        .setTaskName(task)
        .setUnit(" " + unit, 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(200)
        .showSpeed()
        .setInitialMax(-1)
        // The plain carriage-return consumer: the interactive one moves the cursor with ANSI codes and redraws over
        // the summary line printed after the bar.
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .build();
  }

  /** Reports {@code done} of {@code total} units; {@code total <= 0} means unknown. Thread-safe. */
  synchronized void update(long done, long total) {
    if (bar != null) {
      if (total > 0 && bar.getMax() != total) {
        bar.maxHint(total);
      }
      bar.stepTo(done);
    }
  }

  /** Closes the bar and prints {@code summary} as one line. */
  void finish(PrintWriter out, String summary) {
    close();
    out.println(summary);
  }

  /** Idempotent: progressbar redraws the bar on every close, which would repeat it after the summary. */
  @Override
  public synchronized void close() {
    if (bar != null && !closed) {
      bar.close();
    }
    closed = true;
  }
}
