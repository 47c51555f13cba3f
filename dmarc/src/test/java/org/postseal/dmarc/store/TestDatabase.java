package org.postseal.dmarc.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.UUID;

/**
 * A fresh results database for one test: an SQLite file in a temporary directory, or a new schema in the real
 * PostgreSQL on 127.0.0.1:5432 (database test, user postgres: what .ci/run sets up). A PostgreSQL that is not there
 * fails the test: it is never skipped. POSTSEAL_TEST_POSTGRES_URL (a JDBC URL) points elsewhere.
 */
public final class TestDatabase implements AutoCloseable {

  public static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  public final ResultsDatabase database;
  /** The URL [database] url would hold for this database ("" for SQLite in the state dir). */
  public final String url;
  private final String schema;

  private TestDatabase(ResultsDatabase database, String url, String schema) {
    this.database = database;
    this.url = url;
    this.schema = schema;
  }

  public static TestDatabase create(ResultsDatabase.Dialect dialect, Path dir, Clock clock) throws SQLException {
    return dialect == ResultsDatabase.Dialect.SQLITE ? sqlite(dir, clock) : postgres(clock);
  }

  public static TestDatabase sqlite(Path dir, Clock clock) throws SQLException {
    return new TestDatabase(ResultsDatabase.open("", dir, clock), "", null);
  }

  /** A schema of its own in the test PostgreSQL, dropped on close. */
  public static TestDatabase postgres(Clock clock) throws SQLException {
    String base = postgresUrl();
    String schema = "postseal_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new SQLException("the PostgreSQL the tests need is not reachable at " + base + " (.ci/run installs and"
          + " starts it; set POSTSEAL_TEST_POSTGRES_URL for another): " + e.getMessage(), e);
    }
    String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new TestDatabase(ResultsDatabase.open(url, Path.of("unused"), clock), url, schema);
  }

  public static String postgresUrl() {
    String env = System.getenv("POSTSEAL_TEST_POSTGRES_URL");
    return env == null || env.isBlank() ? DEFAULT_POSTGRES_URL : env;
  }

  public int count(String sql) throws SQLException {
    try (Connection c = database.connect(); Statement s = c.createStatement();
         java.sql.ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getInt(1);
    }
  }

  @Override
  public void close() throws SQLException {
    if (schema != null) {
      try (Connection c = DriverManager.getConnection(postgresUrl()); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
