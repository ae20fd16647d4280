package io.segments.config;

import java.nio.file.Path;
import java.util.Map;

/** The embedded default: local Spark, the Delta warehouse and a Derby metastore under one directory. */
public final class Embedded {
  private Embedded() {}

  /** The Spark settings of the embedded default: local master, warehouse and metastore under {@code warehouse}. */
  public static Map<String, String> settings(Path warehouse) {
    Path dir = warehouse.toAbsolutePath().normalize();
    return Map.of(
        "spark.master", "local[2]",
        "spark.sql.warehouse.dir", dir.toUri().toString(),
        "spark.hadoop.javax.jdo.option.ConnectionURL",
        "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true",
        "spark.driver.extraJavaOptions", "-Dderby.system.home=" + dir);
  }
}
