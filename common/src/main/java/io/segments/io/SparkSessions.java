package io.segments.io;

import io.segments.config.PipelineConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the one SparkSession a command uses. Settings come from the config's {@code spark:} block, but a
 * setting already given to {@code spark-submit --conf} wins. Delta Lake is always enabled; the catalog is Hive
 * (an embedded Derby metastore beside the warehouse on the embedded default), so tables persist across runs.
 */
public final class SparkSessions {
  /** Generated classes Spark keeps compiled (its default is 100); the tests' sessions use it too. */
  public static final int CODEGEN_CACHE_ENTRIES = 2000;

  /**
   * Delta 3.3 writes a small table's file list into each commit's checksum, which no read of 3.3 uses; a commit whose
   * previous checksum lacks it (an overwrite's) collects it with a Spark job, and where the session's or the JVM's
   * zone is not UTC every commit also rebuilds the table's state to verify it. Off: neither.
   */
  public static final String NO_FILE_LIST_IN_CHECKSUM = "spark.databricks.delta.allFilesInCrc.enabled";

  private SparkSessions() {}

  public static SparkSession create(PipelineConfig config, String appName) {
    SparkConf conf = new SparkConf();
    config.spark().forEach(conf::setIfMissing); // spark-submit --conf wins, then the config, then the defaults below
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.setIfMissing("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.sql.catalogImplementation", "hive");
    conf.setIfMissing("spark.ui.enabled", "false");
    conf.setIfMissing("spark.ui.showConsoleProgress", String.valueOf(System.console() != null));
    conf.setIfMissing("spark.databricks.delta.snapshotPartitions", "2");
    conf.setIfMissing(NO_FILE_LIST_IN_CHECKSUM, "false");
    conf.setIfMissing("spark.sql.adaptive.enabled", "true");
    conf.setIfMissing("spark.sql.session.timeZone", config.timeZone());
    conf.setIfMissing("spark.sql.debug.maxToStringFields", "500");
    // A run's queries (Delta's over its own log most of all) need some 500 generated classes: with Spark's default
    // cache of 100 they are compiled again and again, a fifth of a small run's time.
    conf.setIfMissing("spark.sql.codegen.cache.maxEntries", String.valueOf(CODEGEN_CACHE_ENTRIES));
    String derbyHome = conf.getOption("spark.driver.extraJavaOptions").getOrElse(() -> "");
    if (derbyHome.startsWith("-Dderby.system.home=")) {
      System.setProperty("derby.system.home", derbyHome.substring("-Dderby.system.home=".length()));
    }
    SparkSession spark = SparkSession.builder().config(conf).enableHiveSupport().getOrCreate();
    spark.sparkContext().setLogLevel(conf.get("spark.log.level", "WARN"));
    spark.conf().set("spark.sql.session.timeZone", config.timeZone());
    return spark;
  }
}
