package io.segments.publish;

/**
 * The publish guard refused to replace audiences (or the validation gate failed). Nothing of the run was
 * published; the command line maps it to exit code 4.
 */
public final class PublishGuardException extends RuntimeException {
  public PublishGuardException(String message) {
    super(message);
  }
}
