package io.segments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import io.segments.io.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;

/**
 * One local[2] Spark context for the whole test JVM (spark-testing-base keeps it in a static field; it is not
 * stopped between classes), with Delta Lake on and few shuffle partitions. Helpers build tiny fixture frames.
 */
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {
  private static Path warehouse;

  @BeforeEach
  public void startSpark() {
    runBefore();
    spark().conf().set("spark.sql.session.timeZone", "UTC");
  }

  @Override
  public SparkConf conf() {
    if (warehouse == null) {
      try {
        warehouse = Files.createTempDirectory("segments-test-warehouse");
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return new SparkConf()
        .setMaster("local[2]")
        .setAppName("segments-tests")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2") // Delta's own tests: few files
        .set("spark.sql.shuffle.partitions", "2")
        .set("spark.default.parallelism", "2")
        .set("spark.sql.adaptive.enabled", "false") // tiny frames: adaptive execution only adds jobs
        .set("spark.sql.autoBroadcastJoinThreshold", "-1") // and a broadcast join a job per small side
        .set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .set("spark.databricks.delta.snapshotPartitions", "2")
        .set(SparkSessions.NO_FILE_LIST_IN_CHECKSUM, "false")
        .set("spark.sql.codegen.cache.maxEntries", String.valueOf(SparkSessions.CODEGEN_CACHE_ENTRIES))
        .set("spark.sql.warehouse.dir", warehouse.toUri().toString())
        .set("spark.sql.session.timeZone", "UTC")
        .set("spark.driver.host", "127.0.0.1");
  }

  @Override
  public boolean enableHiveSupport() {
    return false;
  }

  /** The same rows (and as many of each), naming a few that differ. */
  protected static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual, String what) {
    Dataset<Row> wanted = expected.localCheckpoint();
    Dataset<Row> got = actual.localCheckpoint();
    List<Row> missing = wanted.exceptAll(got).limit(5).collectAsList();
    List<Row> extra = got.exceptAll(wanted).limit(5).collectAsList();
    assertEquals(List.of(), missing, what + ": rows missing (extra: " + extra + ")");
    assertEquals(List.of(), extra, what + ": extra rows");
  }

  protected Dataset<Row> frame(StructType schema, Object[]... rows) {
    List<Row> list = new ArrayList<>();
    for (Object[] row : rows) {
      list.add(RowFactory.create(row));
    }
    return spark().createDataFrame(list, schema);
  }

  /** A config loaded from YAML text, written to a file of its own. */
  protected static io.segments.config.PipelineConfig loadConfig(String yaml) throws java.io.IOException {
    Path file = Files.createTempDirectory("segments-config").resolve("config.yaml");
    Files.writeString(file, yaml);
    return io.segments.config.ConfigLoader.load(file);
  }

  protected static Object[] row(Object... values) {
    return values;
  }

  protected static Date day(String text) {
    return Date.valueOf(LocalDate.parse(text));
  }

  protected static Timestamp at(String text) {
    return Timestamp.valueOf(text);
  }

  protected static List<Row> sorted(Dataset<Row> data, String... columns) {
    return data.orderBy(Arrays.stream(columns).map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
  }
}
