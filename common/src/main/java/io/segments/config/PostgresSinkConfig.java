package io.segments.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code publish --sink postgres} writes {@code audience_members}. The password never sits in the config
 * file: it is read from the environment variable {@code passwordEnv} or from {@code passwordFile}, and never
 * logged. A password source that is configured but missing or empty is a config error (exit 2) naming it;
 * with neither configured, {@code SEGMENTS_PG_PASSWORD} is used when set, else no password is sent (for
 * servers that authenticate otherwise, e.g. a local socket or a certificate).
 *
 * @param url JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/crm (or from the environment variable urlEnv)
 * @param passwordEnv the variable holding the password, or null when not configured
 * @param table target table, {@code table} or {@code schema.table}, created with primary key (audience, user_id)
 *     when missing; each part passed the identifier rule and is quoted where it meets SQL
 */
public record PostgresSinkConfig(String url, String urlEnv, String user, String passwordEnv, String passwordFile,
    String table, String where) {
  public static final String DEFAULT_PASSWORD_ENV = "SEGMENTS_PG_PASSWORD";

  public String resolvedUrl() {
    String value = url != null ? url : System.getenv(urlEnv);
    if (value == null || value.isBlank()) {
      throw new ConfigException(where, "no JDBC URL for the postgres sink",
          "set sinks.postgres.url, or the environment variable " + urlEnv);
    }
    return value;
  }

  /** The password, or null when none is configured and SEGMENTS_PG_PASSWORD is unset. */
  public String password() {
    if (passwordFile != null) {
      String value;
      try {
        value = Files.readString(Path.of(passwordFile)).strip();
      } catch (IOException e) {
        throw new ConfigException(where, "cannot read sinks.postgres.password_file " + passwordFile,
            "check the path and its permissions");
      }
      if (value.isEmpty()) {
        throw new ConfigException(where, "sinks.postgres.password_file " + passwordFile + " is empty",
            "write the password into it, or remove password_file");
      }
      return value;
    }
    if (passwordEnv != null) {
      String value = System.getenv(passwordEnv);
      if (value == null || value.isEmpty()) {
        throw new ConfigException(where, "sinks.postgres.password_env names " + passwordEnv + ", which is "
            + (value == null ? "not set" : "empty"), "export " + passwordEnv + " in the job's environment, or"
            + " remove password_env");
      }
      return value;
    }
    String fallback = System.getenv(DEFAULT_PASSWORD_ENV);
    return fallback == null || fallback.isEmpty() ? null : fallback;
  }

  /** The schema part of {@code table}, or null for the connection's current schema. */
  public String schema() {
    int dot = table.indexOf('.');
    return dot < 0 ? null : table.substring(0, dot);
  }

  /** The table part of {@code table}. */
  public String tableName() {
    return table.substring(table.indexOf('.') + 1);
  }

  /** The table as SQL text, each part quoted. */
  public String quotedTable() {
    return schema() == null ? Identifiers.postgres(tableName()) : Identifiers.postgres(schema(), tableName());
  }
}
