package io.segments.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What a single-machine team would write instead: the bench config's features as of a day, in plain DuckDB SQL
 * over the same Parquet files, and a row-for-row comparison with the pipeline's {@code user_features}.
 *
 * <p>Days are UTC calendar days, computed from epoch microseconds so no time-zone extension is needed. The
 * sequence is found the way one would in SQL: for each purchase, the last cart add at or before it. Monetary
 * values are compared in cents (RFM rounds them to cents in both).
 */
final class DuckDbReference implements AutoCloseable {
  private static final String DAY = "cast(epoch_us(event_at) // 86400000000 as integer)";
  private static final String[] COLUMNS = {"events_7d", "events_30d", "active_days_30d", "days_since_last_event",
      "cart_then_purchase", "rfm_recency_days", "rfm_frequency", "rfm_monetary", "rfm_r", "rfm_f", "rfm_m",
      "rfm_code", "rfm_segment"};

  private final Connection connection;

  DuckDbReference(Path spillDir) throws SQLException {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = connection.createStatement()) {
      s.execute("set temp_directory = '" + spillDir + "'");
      s.execute("set preserve_insertion_order = false");
    }
  }

  /** The outcome of one comparison. */
  record Comparison(long referenceRows, long pipelineRows, long mismatches, List<String> examples) {}

  /** Computes the features as of {@code asOf} into table {@code ref}; returns the elapsed seconds. */
  double compute(Path events, LocalDate asOf) throws SQLException {
    long day = asOf.toEpochDay();
    String sql = """
        create or replace table ref as
        with ev as (
          select user_id, event_name, epoch_us(event_at) as at_us, %1$s as d, coalesce(revenue_usd, 0) as revenue
          from read_parquet('%2$s/*.parquet')
          where epoch_us(event_at) < %4$d
        ),
        base as (
          select
            user_id,
            count(*) filter (where d > %3$d - 7)                                   as events_7d,
            count(*) filter (where d > %3$d - 30)                                  as events_30d,
            count(distinct d) filter (where d > %3$d - 30)                         as active_days_30d,
            %3$d - max(d)                                                          as days_since_last_event,
            %3$d - max(d) filter (where event_name = 'purchase' and d > %3$d - 365) as rfm_recency_days,
            count(*) filter (where event_name = 'purchase' and d > %3$d - 365)     as rfm_frequency,
            round(coalesce(sum(revenue) filter (where event_name = 'purchase' and d > %3$d - 365), 0), 2)
                                                                                   as rfm_monetary
          from ev
          group by user_id
        ),
        purchases as (
          select
            user_id, event_name, d,
            max(case when event_name = 'add_to_cart' then at_us end) over (
              partition by user_id order by at_us range between unbounded preceding and current row) as last_cart_us
          from ev
          where event_name in ('add_to_cart', 'purchase')
        ),
        sequences as (
          select distinct user_id
          from purchases
          where event_name = 'purchase' and last_cart_us is not null
            and d - cast(last_cart_us // 86400000000 as integer) <= 3
        ),
        scored as (
          select
            b.*,
            s.user_id is not null as cart_then_purchase,
            case when rfm_recency_days is not null then ceil(5 * cume_dist() over (
              partition by rfm_recency_days is not null order by rfm_recency_days desc)) end as rfm_r,
            case when rfm_recency_days is not null then ceil(5 * cume_dist() over (
              partition by rfm_recency_days is not null order by rfm_frequency)) end as rfm_f,
            case when rfm_recency_days is not null then ceil(5 * cume_dist() over (
              partition by rfm_recency_days is not null order by rfm_monetary)) end as rfm_m
          from base b left join sequences s using (user_id)
        )
        select
          *,
          cast(rfm_r * 100 + rfm_f * 10 + rfm_m as integer) as rfm_code,
          case
            when rfm_r is null then null
            when rfm_r >= 4 and rfm_f >= 4 and rfm_m >= 4 then 'champions'
            when rfm_r >= 3 and rfm_f >= 4 then 'loyal'
            when rfm_r <= 2 and rfm_f >= 3 then 'at_risk'
            when rfm_r = 1 then 'lost'
            else 'other'
          end as rfm_segment
        from scored
        """.formatted(DAY, events, day, (day + 1) * 86_400_000_000L);
    long start = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Compares table {@code ref} with the pipeline's features exported as Parquet, every column of every user. */
  Comparison compare(Path pipelineFeatures) throws SQLException {
    List<String> differs = new ArrayList<>();
    for (String c : COLUMNS) {
      differs.add(c.equals("rfm_monetary")
          ? "coalesce(abs(r.rfm_monetary - p.rfm_monetary) > 0.005, true)"
          : "r." + c + " is distinct from p." + c);
    }
    String pipeline = "read_parquet('" + pipelineFeatures + "/*.parquet')";
    String mismatched = "select coalesce(r.user_id, p.user_id) as user_id, r.user_id is null as only_pipeline,"
        + " p.user_id is null as only_reference, " + String.join(", ", columnPairs())
        + " from ref r full outer join " + pipeline + " p on r.user_id = p.user_id"
        + " where r.user_id is null or p.user_id is null or " + String.join(" or ", differs);
    List<String> examples = new ArrayList<>();
    long mismatches;
    try (Statement s = connection.createStatement()) {
      s.execute("create or replace temp table mismatched as " + mismatched);
      mismatches = single(s, "select count(*) from mismatched");
      try (ResultSet rows = s.executeQuery("select * from mismatched order by user_id limit 5")) {
        int n = rows.getMetaData().getColumnCount();
        while (rows.next()) {
          StringBuilder line = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            line.append(i == 1 ? "" : " ").append(rows.getMetaData().getColumnName(i)).append('=').append(rows.getString(i));
          }
          examples.add(line.toString());
        }
      }
      return new Comparison(single(s, "select count(*) from ref"), single(s, "select count(*) from " + pipeline),
          mismatches, examples);
    }
  }

  private static List<String> columnPairs() {
    List<String> pairs = new ArrayList<>();
    for (String c : COLUMNS) {
      pairs.add("r." + c + " as ref_" + c);
      pairs.add("p." + c + " as pipe_" + c);
    }
    return pairs;
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
