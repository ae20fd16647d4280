package io.segments.step;

import io.segments.config.UserError;

/**
 * The publish guard refused to replace audiences (or the validation gate failed). Nothing of the run was
 * published; the command line maps it to exit code 4.
 */
public final class PublishGuardException extends UserError {
  public PublishGuardException(String problem, String fix) {
    super(null, problem, fix);
  }

  @Override
  public int exitCode() {
    return 4;
  }
}
