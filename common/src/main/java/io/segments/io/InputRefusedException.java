package io.segments.io;

import io.segments.config.UserError;

/**
 * The input data was refused (schema drift, an unreadable source, too many bad rows). The command line maps it
 * to exit code 3; nothing is published by a run that raises it.
 */
public final class InputRefusedException extends UserError {
  public InputRefusedException(String problem, String fix) {
    super(null, problem, fix);
  }

  @Override
  public int exitCode() {
    return 3;
  }
}
