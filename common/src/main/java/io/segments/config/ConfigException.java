package io.segments.config;

/**
 * A configuration or argument error: what is wrong, where (file and line when known) and how to fix it.
 * The command line maps it to exit code 2.
 */
public final class ConfigException extends UserError {
  public ConfigException(String location, String problem, String fix) {
    super(location, problem, fix);
  }

  @Override
  public int exitCode() {
    return 2;
  }
}
