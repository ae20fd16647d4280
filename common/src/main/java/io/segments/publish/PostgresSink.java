package io.segments.publish;

import static org.apache.spark.sql.functions.col;

import io.segments.config.Identifiers;
import io.segments.config.PostgresSinkConfig;
import io.segments.io.Warehouse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Keeps a PostgreSQL table equal to the Delta {@code audience_members}, primary key (audience, user_id), by
 * applying the Delta change data feed since the last synced version: deletes for members who left, upserts
 * for members who entered or changed. The changes and the new synced version are written in one transaction,
 * so a failure leaves the previous state and a rerun applies the same changes. The first sync (or a schema
 * change) loads the whole table, in the same single transaction.
 */
public final class PostgresSink {
  private static final String STATE = "segments_sync_state";
  private static final int BATCH = 1000;

  private final PostgresSinkConfig config;
  private final int failAfterStatements;

  public PostgresSink(PostgresSinkConfig config) {
    this(config, -1);
  }

  /** Fault injection for tests: throw after this many row statements, inside the transaction. */
  PostgresSink(PostgresSinkConfig config, int failAfterStatements) {
    this.config = config;
    this.failAfterStatements = failAfterStatements;
  }

  /** What a sync applied; {@code warning} says why a full reload replaced the change feed, or is null. */
  public record Sync(long fromVersion, long toVersion, long deleted, long upserted, boolean fullLoad, String warning) {
    Sync withWarning(String text) {
      return new Sync(fromVersion, toVersion, deleted, upserted, fullLoad, text);
    }
  }

  public Sync sync(Warehouse warehouse) {
    String source = warehouse.name("audience_members");
    long current = warehouse.delta("audience_members").history(1).first().<Long>getAs("version");
    StructType schema = warehouse.read("audience_members").schema();
    java.util.Properties credentials = new java.util.Properties();
    credentials.setProperty("user", config.user());
    String password = config.password();
    if (password != null) {
      credentials.setProperty("password", password);
    }
    try (Connection connection = DriverManager.getConnection(config.resolvedUrl(), credentials)) {
      connection.setAutoCommit(false);
      try {
        ensureState(connection);
        String tableId = warehouse.delta("audience_members").detail().select("id").first().getString(0);
        Synced state = synced(connection, source);
        String syncedId = state.tableId();
        Long synced = syncedId != null && !syncedId.equals(tableId) ? null : state.version();
        boolean schemaMatches = PostgresSchema.columnsOf(connection, config).equals(List.of(schema.fieldNames()));
        Sync result;
        if (synced != null && synced == current && schemaMatches) {
          connection.rollback();
          return new Sync(synced, current, 0, 0, false, null);
        }
        if (synced == null || !schemaMatches) {
          result = fullLoad(connection, warehouse.read("audience_members"), schema, current);
          if (syncedId != null && !syncedId.equals(tableId)) {
            result = result.withWarning("audience_members was recreated (Delta table id " + tableId + ", synced "
                + syncedId + "): reloaded " + config.table() + " in full");
          }
        } else if (synced > current) {
          result = fullLoad(connection, warehouse.read("audience_members"), schema, current).withWarning(
              "audience_members is at version " + current + ", before the synced version " + synced
                  + " (the table was recreated): reloaded " + config.table() + " in full");
        } else {
          try {
            result = applyChanges(connection, warehouse, source, schema, synced, current);
          } catch (Exception e) {
            if (!missingChanges(e)) {
              throw e;
            }
            connection.rollback();
            ensureState(connection);
            result = fullLoad(connection, warehouse.read("audience_members"), schema, current).withWarning(
                "the change data feed of audience_members for versions " + (synced + 1) + ".." + current
                    + " is gone (" + io.segments.io.SourceReader.firstLine(e.getMessage()) + "): reloaded "
                    + config.table() + " in full");
          }
        }
        recordVersion(connection, source, current, tableId);
        connection.commit();
        return result;
      } catch (Exception e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("postgres sink: " + e.getMessage() + " (table " + config.table()
          + "; nothing was changed there)", e);
    }
  }

  private Sync fullLoad(Connection connection, Dataset<Row> snapshot, StructType schema, long version)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("drop table if exists " + config.quotedTable());
      statement.execute("create table " + config.quotedTable() + " (" + PostgresSchema.ddl(schema)
          + ", primary key (audience, user_id))");
    }
    long rows = upsert(connection, schema, snapshot.toLocalIterator(), 0);
    return new Sync(-1, version, 0, rows, true, null);
  }

  private Sync applyChanges(Connection connection, Warehouse warehouse, String source, StructType schema, long from,
      long to) throws SQLException {
    Dataset<Row> changes = warehouse.spark().read().format("delta").option("readChangeFeed", "true")
        .option("startingVersion", from + 1).option("endingVersion", to).table(warehouse.quoted("audience_members"))
        .where(col("_change_type").notEqual("update_preimage")).orderBy("_commit_version");
    List<Row> deletes = new ArrayList<>();
    List<Row> upserts = new ArrayList<>();
    long deleted = 0;
    long upserted = 0;
    Iterator<Row> iterator = changes.toLocalIterator();
    int typeIndex = changes.schema().fieldIndex("_change_type");
    while (iterator.hasNext()) {
      Row row = iterator.next();
      if ("delete".equals(row.getString(typeIndex))) {
        // An upsert queued earlier for the same key must land before this delete.
        upserted += upsert(connection, schema, upserts.iterator(), deleted + upserted);
        upserts.clear();
        deletes.add(row);
      } else {
        deleted += delete(connection, deletes, deleted + upserted);
        deletes.clear();
        upserts.add(row);
      }
      if (deletes.size() >= BATCH) {
        deleted += delete(connection, deletes, deleted + upserted);
        deletes.clear();
      } else if (upserts.size() >= BATCH) {
        upserted += upsert(connection, schema, upserts.iterator(), deleted + upserted);
        upserts.clear();
      }
    }
    deleted += delete(connection, deletes, deleted + upserted);
    upserted += upsert(connection, schema, upserts.iterator(), deleted + upserted);
    return new Sync(from, to, deleted, upserted, false, null);
  }

  private long delete(Connection connection, List<Row> rows, long done) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    try (PreparedStatement statement = connection.prepareStatement(
        "delete from " + config.quotedTable() + " where audience = ? and user_id = ?")) {
      return batched(statement, rows.iterator(), done, (s, row) -> {
        s.setString(1, row.getAs("audience"));
        s.setString(2, row.getAs("user_id"));
      });
    }
  }

  /** The change feed of the needed versions is gone: vacuumed, expired from the log, or never recorded. */
  static boolean missingChanges(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String text = t.getClass().getSimpleName() + " " + t.getMessage();
      if (text.contains("VersionNotFound") || text.contains("FileNotFound") || text.contains("DELTA_MISSING_CHANGE_DATA")
          || text.contains("change data was not recorded") || text.contains("Cannot time travel")) {
        return true;
      }
    }
    return false;
  }

  private long upsert(Connection connection, StructType schema, Iterator<Row> rows, long done) throws SQLException {
    String columns = java.util.Arrays.stream(schema.fieldNames()).map(Identifiers::postgres)
        .collect(Collectors.joining(", "));
    String marks = String.join(", ", java.util.Collections.nCopies(schema.size(), "?"));
    String updates = java.util.Arrays.stream(schema.fieldNames())
        .filter(c -> !c.equals("audience") && !c.equals("user_id"))
        .map(c -> Identifiers.postgres(c) + " = excluded." + Identifiers.postgres(c)).collect(Collectors.joining(", "));
    String sql = "insert into " + config.quotedTable() + " (" + columns + ") values (" + marks + ")"
        + " on conflict (audience, user_id) do " + (updates.isEmpty() ? "nothing" : "update set " + updates);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      return batched(statement, rows, done, (s, row) -> {
        for (int i = 0; i < schema.size(); i++) {
          s.setObject(i + 1, row.get(row.fieldIndex(schema.fields()[i].name())));
        }
      });
    }
  }

  /** Sets a statement's parameters from one row. */
  private interface Binder {
    void bind(PreparedStatement statement, Row row) throws SQLException;
  }

  /** Adds each row to the statement's batch, sent every {@link #BATCH} rows and at the end; how many rows. */
  private long batched(PreparedStatement statement, Iterator<Row> rows, long done, Binder binder)
      throws SQLException {
    long count = 0;
    while (rows.hasNext()) {
      binder.bind(statement, rows.next());
      statement.addBatch();
      count++;
      failIfAsked(done + count);
      if (count % BATCH == 0) {
        statement.executeBatch();
      }
    }
    statement.executeBatch();
    return count;
  }

  private void failIfAsked(long statements) {
    if (failAfterStatements >= 0 && statements > failAfterStatements) {
      throw new IllegalStateException("injected failure after " + failAfterStatements + " statements");
    }
  }

  private void ensureState(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("create table if not exists " + STATE + " (source_table text primary key,"
          + " target_table text not null, delta_version bigint not null, synced_at timestamptz not null)");
      statement.execute("alter table " + STATE + " add column if not exists delta_table_id text");
    }
  }

  /** The version and Delta table id of the last sync (a different id now means the table was recreated). */
  private record Synced(Long version, String tableId) {}

  private Synced synced(Connection connection, String source) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("select delta_version, delta_table_id from "
        + STATE + " where source_table = ? and target_table = ?")) {
      statement.setString(1, source);
      statement.setString(2, config.table());
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? new Synced(result.getLong(1), result.getString(2)) : new Synced(null, null);
      }
    }
  }

  private void recordVersion(Connection connection, String source, long version, String tableId)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("insert into " + STATE
        + " (source_table, target_table, delta_version, synced_at, delta_table_id) values (?, ?, ?, now(), ?)"
        + " on conflict (source_table) do update set target_table = excluded.target_table,"
        + " delta_version = excluded.delta_version, synced_at = excluded.synced_at,"
        + " delta_table_id = excluded.delta_table_id")) {
      statement.setString(1, source);
      statement.setString(2, config.table());
      statement.setLong(3, version);
      statement.setString(4, tableId);
      statement.executeUpdate();
    }
  }
}
