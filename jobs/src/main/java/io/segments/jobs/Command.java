package io.segments.jobs;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One command of the command line: its name, a one-line summary, its options and what it does. */
record Command(String name, String arguments, String summary, Options options, Handler handler) {

  @FunctionalInterface
  interface Handler {
    /** Runs the command; returns the exit code. */
    int run(CommandLine line) throws Exception;
  }
}
