package io.segments.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segments.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.cli.Options;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a command's failure becomes an exit code and one message on stderr, without Spark. */
class MainTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream original;

  @BeforeEach
  void captureStderr() {
    original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(original);
  }

  private static Command failing(Exception failure) {
    return new Command("probe", "", "throws", new Options(), line -> {
      throw failure;
    });
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFullDiskOnTheDriverIsExitOneWithTheDiskFullMessageAndNoTrace() {
    // A Delta commit written by Hadoop's local filesystem onto a full disk (/dev/full always is) throws FSError,
    // an Error, not an Exception.
    Command writesToAFullDisk = new Command("probe", "", "writes", new Options(), line -> {
      RawLocalFileSystem local = new RawLocalFileSystem();
      local.initialize(URI.create("file:///"), new Configuration());
      try (var out = local.create(new org.apache.hadoop.fs.Path("/dev/full"), true)) {
        out.write(new byte[1 << 20]);
        out.hflush();
      }
      return Main.OK;
    });
    assertEquals(Main.FAILED, Main.run(writesToAFullDisk, new String[0]));
    assertTrue(stderr().contains("error: the disk is full (No space left on device)"), stderr());
    assertTrue(stderr().contains("fix: free space where the warehouse and spark.local.dir live"), stderr());
    assertFalse(stderr().contains("\tat "), stderr());
  }

  @Test
  void aFullDiskInsideATaskNamesWhereItWasWriting() {
    Exception wrapped = new RuntimeException("[TASK_WRITE_FAILED] Task failed while writing rows to file:/w/t.",
        new IOException("No space left on device"));
    assertEquals(Main.FAILED, Main.run(failing(wrapped), new String[0]));
    assertTrue(stderr().contains("(No space left on device while writing file:/w/t)"), stderr());
  }

  @Test
  void aConfigErrorIsExitTwoAndAnyOtherFailureExitOneWithAHintForTheTrace() {
    assertEquals(Main.BAD_ARGUMENTS, Main.run(failing(new ConfigException("a.yaml:3", "bad", "fix it")),
        new String[0]));
    assertEquals(Main.FAILED, Main.run(failing(new IllegalStateException("boom")), new String[0]));
    assertTrue(stderr().contains("error: boom\n  (rerun with --verbose for the stack trace)"), stderr());
  }

  @Test
  void anUnknownOptionIsExitTwoPointingAtHelp() {
    assertEquals(Main.BAD_ARGUMENTS, Main.run(failing(new IllegalStateException()), new String[] {"--nope"}));
    assertTrue(stderr().contains("fix: see ./segments probe --help"), stderr());
  }

  @Test
  void eachCommandsHelpListsOnlyTheOptionsItReads() {
    assertTrue(help("run").contains("--sink") && help("run").contains("--full") && help("run").contains("--allow-stale")
        && help("run").contains("--allow-large-change"), help("run"));
    assertTrue(help("features").contains("--full") && help("features").contains("--allow-stale"), help("features"));
    assertFalse(help("features").contains("--sink") || help("features").contains("--allow-large-change"),
        "features publishes nothing: " + help("features"));
    assertTrue(help("publish").contains("--sink") && help("publish").contains("--allow-large-change"));
    assertFalse(help("publish").contains("--full") || help("publish").contains("--allow-stale"),
        "publish stages nothing: " + help("publish"));
    assertFalse(help("segments").contains("--sink") || help("validate").contains("--full"));
    assertTrue(help("stream").contains("--trigger") && help("stream").contains("--once")
        && help("stream").contains("--sink") && help("stream").contains("--allow-large-change"), help("stream"));
    assertFalse(help("stream").contains("--full") || help("stream").contains("--allow-stale"), help("stream"));
    assertTrue(help("preview").contains("NEW: the config with the changed definitions"), help("preview"));
    assertFalse(help("preview").contains("environment config"), help("preview"));
  }

  @Test
  void streamRefusesBadTriggersBeforeStartingSpark() {
    assertEquals(Main.BAD_ARGUMENTS, Main.run(new String[] {"stream", "--trigger", "soon"}));
    assertTrue(stderr().contains("'soon' is not a duration") && stderr().contains("write e.g. 30s, 1m or 5m"),
        stderr());
    assertEquals(Main.BAD_ARGUMENTS, Main.run(new String[] {"stream", "--once", "--trigger", "1m"}));
    assertTrue(stderr().contains("--once and --trigger exclude each other"), stderr());
  }

  private static String help(String command) {
    return EndToEnd.printed(command, "--help");
  }

  @Test
  void benchFromTheApplicationJarIsExitTwoPointingAtTheCheckoutLauncher() {
    assertEquals(Main.BAD_ARGUMENTS, Main.run(new String[] {"bench"}));
    assertTrue(stderr().contains("fix: run it from a checkout: ./segments bench"), stderr());
  }
}
