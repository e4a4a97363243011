package dev.featurestore.deploy;

import dev.featurestore.deploy.cli.FstoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the {@code fstore} command line: its exit code and what it printed. How the command-line
 * ITs call commands.
 *
 * @param exitCode the command's exit code
 * @param out what it printed to standard output
 * @param err what it printed to standard error
 */
public record FstoreRun(int exitCode, String out, String err) {

  /**
   * Runs {@code fstore args...} followed by {@code options} (the data directory, the online store, ...), except
   * when the command only asks for help ({@code --help} or {@code help} last), which takes no other option.
   */
  public static FstoreRun of(List<String> options, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (args.length == 0 || !List.of("--help", "help").contains(args[args.length - 1])) {
      all.addAll(options);
    }
    CommandLine commandLine = FstoreCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(all.toArray(String[]::new));
    return new FstoreRun(code, out.toString(), err.toString());
  }
}
