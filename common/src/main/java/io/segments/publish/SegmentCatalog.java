package io.segments.publish;

import io.segments.config.SegmentSpec;
import io.segments.io.Warehouse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The rows of {@code segment_catalog} a publish writes: one per segment with its spec, size, share of the users
 * known, change since the previous publish, a hash of its definition and the day that definition last changed.
 */
final class SegmentCatalog {
  private SegmentCatalog() {}

  static Dataset<Row> rows(SparkSession spark, Warehouse warehouse, List<SegmentSpec> segments,
      Map<String, Long> sizes, long base, LocalDate asOf) {
    Map<String, Long> previous = new LinkedHashMap<>();
    Map<String, Object[]> previousDefinition = new LinkedHashMap<>();
    if (warehouse.exists("segment_catalog")) {
      // A rerun of the day compares with the publish before it: the stored size less the change it recorded.
      warehouse.read("segment_catalog").select("segment", "size", "definition_hash", "definition_changed_on",
              "size_change", "last_refreshed_on").collectAsList().forEach(r -> {
            boolean rerun = !r.isNullAt(5) && r.getDate(5).toLocalDate().equals(asOf);
            if (!rerun || !r.isNullAt(4)) {
              previous.put(r.getString(0), rerun ? r.getLong(1) - r.getLong(4) : r.getLong(1));
            }
            previousDefinition.put(r.getString(0), new Object[] {r.getString(2), r.getDate(3)});
          });
    }
    List<Row> rows = new ArrayList<>();
    for (SegmentSpec s : segments) {
      long size = sizes.getOrDefault(s.name(), 0L);
      Long before = previous.get(s.name());
      String hash = definitionHash(s);
      Object[] prior = previousDefinition.get(s.name());
      Date changedOn = prior != null && hash.equals(prior[0]) ? (Date) prior[1] : Date.valueOf(asOf);
      rows.add(RowFactory.create(s.name(), s.family(), s.priority(), s.description(), s.owner(), s.rule(),
          s.effectiveExitRule(), s.minDays(), s.onEnter(), s.onExit(), s.successMetric(), s.refresh(), size,
          base == 0 ? 0.0 : (double) size / base, before == null ? null : size - before, hash, changedOn,
          Date.valueOf(asOf)));
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
