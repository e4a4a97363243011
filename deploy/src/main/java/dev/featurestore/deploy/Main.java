package dev.featurestore.deploy;

import dev.featurestore.deploy.cli.FstoreCommand;

/** Entry point of the {@code fstore} command line (see {@link FstoreCommand}). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(FstoreCommand.commandLine().execute(args));
  }
}
