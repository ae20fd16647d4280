package io.segments.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the SQL models kept in the repository's {@code sql/} folder (packaged on the classpath under
 * {@code sql/}). Inputs are temp views named in each file's header; values are bound as named parameter
 * markers ({@code :as_of}), never concatenated.
 */
public final class SqlFiles {
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private SqlFiles() {}

  public static String text(String path) {
    return CACHE.computeIfAbsent(path, SqlFiles::read);
  }

  public static Dataset<Row> run(SparkSession spark, String path, Map<String, Object> params) {
    return spark.sql(text(path), params);
  }

  public static Dataset<Row> run(SparkSession spark, String path) {
    return spark.sql(text(path));
  }

  private static String read(String path) {
    try (InputStream in = SqlFiles.class.getClassLoader().getResourceAsStream("sql/" + path)) {
      if (in == null) {
        throw new IllegalStateException("SQL model sql/" + path + " is missing from the classpath; rebuild the jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      return text.endsWith(";") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
