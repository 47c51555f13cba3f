package org.postseal.dmarc.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a database to the schema this build expects: the numbered files {@code sql/V1.sql}, {@code V2.sql}, ...
 * beside this class, each applied once, in order, and recorded in {@code postseal_schema_version}. A file's first
 * line, a comment, says what it is for. They are written in the SQL SQLite and PostgreSQL share, with
 * {@code ${binary}} for the one type they name differently ({@link ResultsDatabase.Dialect#binaryType()}).
 * Applied versions are never edited: a change is a new file.
 *
 * <p>Why not Flyway: measured here (2 shared cores, each open in a fresh JVM on an already migrated database,
 * median of 10-12 runs): a bare JDBC connection took 460-500 ms on SQLite (most of it sqlite-jdbc loading its native
 * library) and 540-620 ms on PostgreSQL; with this class 470-500 ms and 650-1000 ms; with Flyway 13.12.2
 * 890-1470 ms and 1680-1830 ms. Flyway adds about 0.4-1.2 s to every start and 878 KB of jars (flyway-core 822 KB,
 * flyway-database-postgresql 33 KB and the flyway-database-cockroachdb 23 KB it pulls in); this class is 8 KB.
 * Start-up time is a goal, and what we use of Flyway fits here: ordered files, applied once, under a lock,
 * recorded.
 *
 * <p>Several instances may start at once on one PostgreSQL: the whole migration runs in one transaction under a
 * transaction-scoped advisory lock; on SQLite the transaction is BEGIN IMMEDIATE, which takes the write lock at its
 * start. DDL is transactional on both, so a failed migration leaves nothing behind.
 */
final class SchemaMigrator {

  /** pg_advisory_xact_lock key: "pstl" in ASCII. */
  private static final long POSTGRES_LOCK_KEY = 0x7073746CL;

  private SchemaMigrator() {
  }

  /**
   * Applies every missing migration.
   *
   * @return the versions applied now, in order (empty when the schema was current)
   * @throws SQLException          when a statement fails (the transaction is rolled back)
   * @throws IllegalStateException when the database holds a version newer than this build knows
   */
  static List<Integer> migrate(ResultsDatabase database, Connection connection, Clock clock) throws SQLException {
    ResultsDatabase.Dialect dialect = database.dialect();
    List<String> scripts = scripts(dialect);
    return database.transaction(connection, c -> {
      try (Statement s = c.createStatement()) {
        if (dialect == ResultsDatabase.Dialect.POSTGRESQL) {
          s.execute("SELECT pg_advisory_xact_lock(" + POSTGRES_LOCK_KEY + ")");
        }
        s.execute("CREATE TABLE IF NOT EXISTS postseal_schema_version (version INTEGER PRIMARY KEY,"
            + " description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      }
      int current = 0;
      try (Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM postseal_schema_version")) {
        if (r.next()) {
          current = r.getInt(1);
        }
      }
      if (current > scripts.size()) {
        throw new IllegalStateException("the results database has schema version " + current + ", newer than this"
            + " Postseal knows (" + scripts.size() + "): run the newer Postseal, or point [database] url elsewhere");
      }
      List<Integer> applied = new ArrayList<>();
      for (int version = current + 1; version <= scripts.size(); version++) {
        String script = scripts.get(version - 1);
        for (String statement : statements(script)) {
          try (Statement s = c.createStatement()) {
            s.execute(statement);
          }
        }
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO postseal_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
          insert.setInt(1, version);
          insert.setString(2, description(script));
          insert.setLong(3, clock.instant().getEpochSecond());
          insert.executeUpdate();
        }
        applied.add(version);
      }
      return applied;
    });
  }

  /** The scripts for {@code dialect}, V1 first: every file until the first number that has none. */
  static List<String> scripts(ResultsDatabase.Dialect dialect) {
    List<String> scripts = new ArrayList<>();
    for (int version = 1; ; version++) {
      String name = "sql/V" + version + ".sql";
      try (InputStream in = SchemaMigrator.class.getResourceAsStream(name)) {
        if (in == null) {
          return scripts;
        }
        scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${binary}", dialect.binaryType()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + name + " from the jar", e);
      }
    }
  }

  /** The statements of a script: separated by ";" at the end of a line; "--" comment lines dropped. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    return statements;
  }

  private static String description(String script) {
    String first = script.lines().findFirst().orElse("").strip();
    return first.startsWith("--") ? first.substring(2).strip() : "";
  }
}
