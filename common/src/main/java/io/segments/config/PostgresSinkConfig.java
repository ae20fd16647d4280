package io.segments.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code publish --sink postgres} writes {@code audience_members}. The password never sits in the config
 * file: it is read from the environment variable {@code passwordEnv} or from {@code passwordFile}, and never
 * logged.
 *
 * @param url JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/crm (or from the environment variable urlEnv)
 * @param table target table, created with primary key (audience, user_id) when missing
 */
public record PostgresSinkConfig(String url, String urlEnv, String user, String passwordEnv, String passwordFile,
    String table, String where) {

  public String resolvedUrl() {
    String value = url != null ? url : System.getenv(urlEnv);
    if (value == null || value.isBlank()) {
      throw new ConfigException(where, "no JDBC URL for the postgres sink",
          "set sinks.postgres.url, or the environment variable " + urlEnv);
    }
    return value;
  }

  public String password() {
    if (passwordFile != null) {
      try {
        return Files.readString(Path.of(passwordFile)).strip();
      } catch (IOException e) {
        throw new ConfigException(where, "cannot read sinks.postgres.password_file " + passwordFile,
            "check the path and its permissions");
      }
    }
    String value = System.getenv(passwordEnv);
    return value == null ? "" : value;
  }
}
