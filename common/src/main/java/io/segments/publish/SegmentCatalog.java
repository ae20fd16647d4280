package io.segments.publish;

import io.segments.config.SegmentSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The rows of {@code segment_catalog} a publish writes: one per segment with its spec, size, share of the users
 * known, change since the previous publish, a hash of its definition and the day that definition last changed. The
 * size change and that day are computed by the MERGE from the published row ({@link #FROM_PUBLISHED}): the table
 * is not read.
 */
final class SegmentCatalog {
  private SegmentCatalog() {}

  /**
   * For a segment already published: its size change since the publish before (a rerun of the day compares with
   * the publish before it, the stored size less the change it recorded), and the day its definition last changed.
   */
  static final Map<String, String> FROM_PUBLISHED = Map.of(
      "size_change", "case when t.last_refreshed_on = s.last_refreshed_on then s.size - (t.size - t.size_change)"
          + " else s.size - t.size end",
      "definition_changed_on", "case when t.definition_hash = s.definition_hash then t.definition_changed_on"
          + " else s.definition_changed_on end");

  /** The rows as for a segment not yet published: no size change, its definition new on the day. */
  static Dataset<Row> rows(SparkSession spark, List<SegmentSpec> segments, Map<String, Long> sizes, long base,
      LocalDate asOf) {
    List<Row> rows = new ArrayList<>();
    for (SegmentSpec s : segments) {
      long size = sizes.getOrDefault(s.name(), 0L);
      rows.add(RowFactory.create(s.name(), s.family(), s.priority(), s.description(), s.owner(), s.rule(),
          s.effectiveExitRule(), s.minDays(), s.onEnter(), s.onExit(), s.successMetric(), s.refresh(), size,
          base == 0 ? 0.0 : (double) size / base, null, definitionHash(s), Date.valueOf(asOf), Date.valueOf(asOf)));
    }
    return spark.createDataFrame(rows, TableDocs.CATALOG_SCHEMA);
  }

  static String definitionHash(SegmentSpec s) {
    String text = String.join("\u0000", s.name(), String.valueOf(s.family()), String.valueOf(s.priority()), s.rule(),
        s.effectiveExitRule(), String.valueOf(s.minDays()));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
