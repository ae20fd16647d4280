package io.segments.features.kinds;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.segments.config.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code distinct}: how many different event names of the feature's list within its window; 0 without any. */
final class DistinctKind implements Kind {
  private final List<String> vocabulary;

  /** @param vocabulary {@code source.vocabulary}: the names a feature without a list can see (empty: any) */
  DistinctKind(List<String> vocabulary) {
    this.vocabulary = List.copyOf(vocabulary);
  }

  /**
   * Carried as the last day of each name: of the feature's list, or of the vocabulary (the stage step quarantines
   * any other name). Without either, the names are not known ahead and the value needs all history.
   */
  @Override
  public Carried carried(FeatureSpec spec) {
    List<String> names = names(spec);
    if (names.isEmpty()) {
      return null;
    }
    List<Carried.Quantity> lasts = new ArrayList<>();
    Column seen = lit(0L);
    for (int i = 0; i < names.size(); i++) {
      String last = spec.name() + "__last_" + i;
      lasts.add(Carried.lastDay(last, Kind.matches(List.of(names.get(i))).and(Kind.where(spec.filter().events()))));
      seen = seen.plus(when(datediff(col("as_of_date"), col(last)).lt(spec.windowDays()), 1L).otherwise(0L));
    }
    return new Carried(lasts, List.of(seen.as(spec.name())));
  }

  /** Over all history: the names of the list or the vocabulary (all names without either) within the window. */
  @Override
  public List<Column> aggregates(FeatureSpec spec) {
    Column counted = Kind.matches(names(spec)).and(Kind.where(spec.filter().events()))
        .and(Kind.inWindow(spec.windowDays()));
    return List.of(count_distinct(when(counted, col("event_name"))).as(spec.name()));
  }

  /**
   * The names counted: the feature's list, or else the vocabulary (the rollup of days staged before a vocabulary
   * was set may hold others, which are not counted either way); each once. Empty: any name.
   */
  private List<String> names(FeatureSpec spec) {
    return List.copyOf(new java.util.LinkedHashSet<>(spec.events().isEmpty() ? vocabulary : spec.events()));
  }

  @Override
  public Dataset<Row> finish(FeatureSpec spec, Dataset<Row> result) {
    return result.withColumn(spec.name(), coalesce(col(spec.name()), lit(0L)));
  }
}
