package io.segments.config;

/**
 * An error the user can fix, with one shape for every exit code: {@code <where>: <what is wrong>} then
 * {@code   fix: <what to do>}. The command line prints the message as it is and exits with {@link #exitCode}.
 */
public abstract class UserError extends RuntimeException {
  private final String location;
  private final String fix;

  protected UserError(String location, String problem, String fix) {
    super(format(location, problem, fix));
    this.location = location;
    this.fix = fix;
  }

  /** 2 bad arguments or config, 3 input refused, 4 guard or gate, 5 lock held, 6 the day's data has not arrived. */
  public abstract int exitCode();

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
