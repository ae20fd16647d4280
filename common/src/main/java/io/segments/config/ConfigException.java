package io.segments.config;

/**
 * A configuration or argument error: what is wrong, where (file and line when known) and how to fix it.
 * The command line maps it to exit code 2.
 */
public final class ConfigException extends RuntimeException {
  private final String location;
  private final String fix;

  public ConfigException(String location, String problem, String fix) {
    super(format(location, problem, fix));
    this.location = location;
    this.fix = fix;
  }

  public String location() {
    return location;
  }

  public String fix() {
    return fix;
  }

  private static String format(String location, String problem, String fix) {
    StringBuilder message = new StringBuilder();
    if (location != null && !location.isEmpty()) {
      message.append(location).append(": ");
    }
    message.append(problem);
    if (fix != null && !fix.isEmpty()) {
      message.append("\n  fix: ").append(fix);
    }
    return message.toString();
  }
}
