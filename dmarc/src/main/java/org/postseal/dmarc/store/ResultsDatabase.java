package org.postseal.dmarc.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results database: where it is, which SQL it speaks, and connections to it. {@link #open} creates and
 * migrates the schema, so the default SQLite file needs no setup. Each user holds its own connection (the
 * writer thread, the report thread, a command): JDBC connections are not shared between threads.
 *
 * <p>SQLite runs in WAL mode (readers never wait for the writer; serve and a {@code postseal report} command
 * share the file), with a busy timeout, and every transaction ({@link #transaction}) is BEGIN IMMEDIATE: it takes
 * the write lock when it begins, so a read-then-write transaction never fails half-way on a lock another process
 * took. Connections stay in auto-commit mode between transactions: sqlite-jdbc begins a new transaction the moment
 * auto-commit is turned off and again after every commit, so a connection left with auto-commit off would hold the
 * write lock (in IMMEDIATE mode) or an old read snapshot for good.
 */
public final class ResultsDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(ResultsDatabase.class);

  /** The SQLite file under state-dir when [database] url is empty. */
  public static final String SQLITE_FILE_NAME = "postseal.db";
  /** How long an SQLite statement waits for another process's write lock before it fails. */
  static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

  /** The SQL the database speaks: the migrations are written once, with these words where the two differ. */
  public enum Dialect {
    SQLITE("BLOB"), POSTGRESQL("BYTEA");

    private final String binaryType;

    Dialect(String binaryType) {
      this.binaryType = binaryType;
    }

    /** The column type of a byte string: ${binary} in the migrations. */
    String binaryType() {
      return binaryType;
    }
  }

  private final String url;
  private final Dialect dialect;
  private final String description;

  private ResultsDatabase(String url, Dialect dialect, String description) {
    this.url = url;
    this.dialect = dialect;
    this.description = description;
  }

  /**
   * Opens the database {@code configuredUrl} names ("" for state-dir/postseal.db, jdbc:sqlite:PATH or
   * jdbc:postgresql://...) and migrates its schema.
   *
   * @throws SQLException naming the database when it cannot be reached or migrated
   */
  public static ResultsDatabase open(String configuredUrl, Path stateDir, Clock clock) throws SQLException {
    ResultsDatabase db = at(configuredUrl, stateDir);
    try (Connection c = db.connect()) {
      if (db.dialect == Dialect.SQLITE) {
        try (Statement s = c.createStatement()) {
          // persistent: once set, every later connection of every process uses the write-ahead log
          s.execute("PRAGMA journal_mode=WAL");
        }
      }
      List<Integer> applied = SchemaMigrator.migrate(db, c, clock);
      if (!applied.isEmpty()) {
        LOG.info("results database {}: schema migrated to version {}", db.description, applied.get(applied.size() - 1));
      }
    } catch (SQLException e) {
      throw new SQLException("results database " + db.description + ": " + e.getMessage(), e.getSQLState(), e);
    }
    return db;
  }

  /** The database of {@code configuredUrl} without opening it. */
  static ResultsDatabase at(String configuredUrl, Path stateDir) {
    Objects.requireNonNull(configuredUrl, "configuredUrl");
    if (configuredUrl.isEmpty()) {
      Path file = stateDir.resolve(SQLITE_FILE_NAME).toAbsolutePath();
      return new ResultsDatabase("jdbc:sqlite:" + file, Dialect.SQLITE, file.toString());
    }
    if (configuredUrl.startsWith("jdbc:sqlite:")) {
      return new ResultsDatabase(configuredUrl, Dialect.SQLITE, configuredUrl.substring("jdbc:sqlite:".length()));
    }
    if (configuredUrl.startsWith("jdbc:postgresql:")) {
      return new ResultsDatabase(configuredUrl, Dialect.POSTGRESQL, redactedUrl(configuredUrl));
    }
    throw new IllegalArgumentException("database URL must be empty, jdbc:sqlite:PATH or jdbc:postgresql://...,"
        + " was " + redactedUrl(configuredUrl));
  }

  /** A new connection in auto-commit mode; the caller closes it. */
  public Connection connect() throws SQLException {
    if (dialect == Dialect.SQLITE) {
      createParentDirectory();
      Properties properties = new Properties();
      // sqlite-jdbc's connection properties (SQLiteConfig.Pragma): named here so that no code imports the driver
      properties.setProperty("busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MS));
      properties.setProperty("foreign_keys", "true");
      properties.setProperty("synchronous", "NORMAL");
      return DriverManager.getConnection(url, properties);
    }
    return DriverManager.getConnection(url);
  }

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code connection} (in auto-commit mode, and left so): committed when it
   * returns, rolled back when it throws. On SQLite the transaction is BEGIN IMMEDIATE (see the class comment).
   */
  public <T> T transaction(Connection connection, SqlWork<T> work) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
      try {
        T result = work.run(connection);
        try (Statement s = connection.createStatement()) {
          s.execute("COMMIT");
        }
        return result;
      } catch (SQLException | RuntimeException e) {
        try (Statement s = connection.createStatement()) {
          s.execute("ROLLBACK");
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    }
    connection.setAutoCommit(false);
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The file, or the URL without credentials: fit for logs. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description;
  }

  private void createParentDirectory() throws SQLException {
    Path file = Path.of(url.substring("jdbc:sqlite:".length()));
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      try {
        Files.createDirectories(parent);
      } catch (IOException | UncheckedIOException e) {
        throw new SQLException("cannot create the directory " + parent + " for " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * A database URL fit for logs: jdbc:postgresql://user:secret@host/db?password=x as
   * jdbc:postgresql://(credentials hidden)@host/db?(parameters hidden).
   */
  public static String redactedUrl(String url) {
    String shown = url;
    int query = shown.indexOf('?');
    if (query >= 0) {
      shown = shown.substring(0, query) + "?(parameters hidden)";
    }
    int scheme = shown.indexOf("://");
    int at = shown.indexOf('@');
    if (scheme >= 0 && at > scheme) {
      shown = shown.substring(0, scheme + 3) + "(credentials hidden)" + shown.substring(at);
    }
    return shown;
  }
}
