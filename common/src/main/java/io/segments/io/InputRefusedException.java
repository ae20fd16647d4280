package io.segments.io;

/**
 * The input data was refused (schema drift, an unreadable source, too many bad rows). The command line maps it
 * to exit code 3; nothing is published by a run that raises it.
 */
public final class InputRefusedException extends RuntimeException {
  public InputRefusedException(String problem, String fix) {
    super(problem + "\n  fix: " + fix);
  }
}
