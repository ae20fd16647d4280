package io.segments.jobs;

import io.segments.config.UserError;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.ParseException;
import org.apache.hadoop.fs.FSError;
import org.apache.spark.sql.AnalysisException;

/**
 * The command line: {@code ./segments <command> [options]} locally, or
 * {@code spark-submit --class io.segments.jobs.Main segments.jar <command> [options]} on a cluster.
 *
 * <p>Exit codes: 0 ok, 1 other failure, 2 bad arguments or config, 3 input data refused, 4 publish guard
 * tripped (or validation gate failed), 5 another run holds the lock (retry later, not a crash), 6 the as-of day's
 * events have not arrived (source freshness; retry later). Errors print one clear message; {@code --verbose} adds
 * the stack trace.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_ARGUMENTS = 2;
  public static final int INPUT_REFUSED = 3;
  public static final int GUARD_TRIPPED = 4;
  public static final int LOCK_HELD = 5;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args);
    System.out.flush();
    if (System.getenv("DATABRICKS_RUNTIME_VERSION") != null) {
      // A Databricks JAR task must return from main, not exit the shared JVM: a failure fails the task with it.
      if (code != OK) {
        throw new IllegalStateException("segments " + String.join(" ", args) + " failed with exit code " + code
            + " (see the error above)");
      }
      return;
    }
    System.exit(code);
  }

  /** Runs a command and returns its exit code (used by tests, which must not exit the JVM). */
  public static int run(String[] args) {
    Map<String, Command> commands = new LinkedHashMap<>();
    for (Command command : Commands.all()) {
      commands.put(command.name(), command);
    }
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      printUsage(commands);
      return args.length == 0 ? BAD_ARGUMENTS : OK;
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      System.err.println("error: unknown command '" + args[0] + "'\n  fix: use one of " + commands.keySet()
          + " (./segments --help)");
      return BAD_ARGUMENTS;
    }
    return run(command, Arrays.copyOfRange(args, 1, args.length));
  }

  /** Runs one command with its arguments: --help, then the handler, with every failure mapped to its exit code. */
  static int run(Command command, String[] rest) {
    boolean verbose = Arrays.asList(rest).contains("--verbose");
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      printHelp(command);
      return OK;
    }
    try {
      CommandLine line = new DefaultParser().parse(command.options(), rest);
      return command.handler().run(line);
    } catch (ParseException e) {
      System.err.println("error: " + e.getMessage() + "\n  fix: see ./segments " + command.name() + " --help");
      return BAD_ARGUMENTS;
    } catch (Exception | FSError e) {
      // FSError (an Error) is what Hadoop's local filesystem throws on the driver, e.g. when a Delta commit
      // hits a full disk; inside a task Spark wraps it in an exception.
      return failure(e, verbose);
    }
  }

  /** Prints one clear message for a command's failure (the trace with --verbose) and returns its exit code. */
  public static int failure(Throwable e, boolean verbose) {
    return fail(e, e instanceof UserError user ? user.exitCode() : FAILED, verbose);
  }

  private static int fail(Throwable e, int code, boolean verbose) {
    String diskFull = diskFull(e);
    if (diskFull != null) {
      System.err.println("error: the disk is full (" + diskFull + "); the step that was writing failed and left the"
          + " tables it was changing at their previous version\n  fix: free space where the warehouse and"
          + " spark.local.dir live (or move them), then rerun the same command");
      if (verbose) {
        e.printStackTrace();
      }
      return code;
    }
    // Spark appends the query plan to an analysis error's message: the error alone, the plan with --verbose.
    boolean planned = e instanceof AnalysisException && !(e instanceof
        org.apache.spark.sql.catalyst.parser.ParseException);
    System.err.println("error: " + (planned && !verbose ? ((AnalysisException) e).getSimpleMessage()
        : e.getMessage() == null ? e.toString() : e.getMessage()));
    if (verbose) {
      e.printStackTrace();
    } else if (code == FAILED) {
      System.err.println(planned ? "  (rerun with --verbose for the query plan and the stack trace)"
          : "  (rerun with --verbose for the stack trace)");
    }
    return code;
  }

  /**
   * "No space left on device", and where it was writing when Spark says so, from anywhere in the cause chain
   * (Spark wraps it deeply); null when the failure is something else.
   */
  static String diskFull(Throwable e) {
    boolean full = false;
    String target = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      full |= message.contains("No space left on device");
      java.util.regex.Matcher writing = java.util.regex.Pattern.compile("writing rows to (\\S+?)\\.?(\\s|$)")
          .matcher(message);
      if (target == null && writing.find()) {
        target = writing.group(1);
      }
    }
    return !full ? null : "No space left on device" + (target == null ? "" : " while writing " + target);
  }

  private static void printUsage(Map<String, Command> commands) {
    System.out.println("usage: segments <command> [options]   (segments <command> --help for its options)\n");
    commands.values().forEach(c -> System.out.printf("  %-13s %s%n", c.name(), c.summary()));
    System.out.println("\nexit codes: 0 ok, 1 failure, 2 bad arguments or config, 3 input refused, 4 publish guard,"
        + " 5 another run holds the lock, 6 the day's events have not arrived (retry later)");
  }

  private static void printHelp(Command command) {
    HelpFormatter formatter = new HelpFormatter();
    formatter.setWidth(110);
    PrintWriter out = new PrintWriter(System.out);
    formatter.printHelp(out, 110, "segments " + command.name() + " " + command.arguments(), command.summary(),
        command.options(), 2, 4, "");
    out.flush();
  }
}
