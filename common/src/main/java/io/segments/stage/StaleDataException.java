package io.segments.stage;

import io.segments.config.UserError;

/**
 * The as-of day's events have not arrived (source freshness): the run stopped before any step wrote, so the
 * published tables stay as they were. Exit code 6, which an orchestrator retries later, unlike a crash.
 */
public final class StaleDataException extends UserError {
  public StaleDataException(String problem, String fix) {
    super(null, problem, fix);
  }

  @Override
  public int exitCode() {
    return 6;
  }
}
