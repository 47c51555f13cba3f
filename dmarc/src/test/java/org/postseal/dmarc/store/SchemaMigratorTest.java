package org.postseal.dmarc.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The schema is created on first open and migrated once, on SQLite and on PostgreSQL. */
class SchemaMigratorTest {

  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void theFirstOpenCreatesTheSchema_laterOpensFindItCurrent(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      assertThat(db.count("SELECT MAX(version) FROM postseal_schema_version"))
          .isEqualTo(SchemaMigrator.scripts(dialect).size());
      assertThat(db.count("SELECT COUNT(*) FROM evaluated_message")).isZero();
      try (Connection c = db.database.connect()) {
        assertThat(SchemaMigrator.migrate(db.database, c, CLOCK)).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void aSchemaNewerThanThisBuild_isRefusedNamingBothVersions(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK); Connection c = db.database.connect();
         Statement s = c.createStatement()) {
      s.execute("INSERT INTO postseal_schema_version (version, description, applied_at) VALUES (99, 'future', 0)");
      assertThatThrownBy(() -> SchemaMigrator.migrate(db.database, c, CLOCK))
          .hasMessageContaining("schema version 99, newer than this Postseal knows ("
              + SchemaMigrator.scripts(dialect).size() + ")");
    }
  }

  @Test
  void twoInstancesStartingAtOnceOnOnePostgres_applyEachMigrationOnce() throws Exception {
    try (TestDatabase db = TestDatabase.postgres(CLOCK)) {
      try (Connection c = db.database.connect(); Statement s = c.createStatement()) {
        // back to an empty schema: both starters find nothing
        s.execute("DROP TABLE received_record, received_report, report_delivery, report, report_period,"
            + " evaluated_message, postseal_schema_version");
      }
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Callable<List<Integer>> migrate = () -> {
          try (Connection c = db.database.connect()) {
            return SchemaMigrator.migrate(db.database, c, CLOCK);
          }
        };
        Future<List<Integer>> a = pool.submit(migrate);
        Future<List<Integer>> b = pool.submit(migrate);
        List<Integer> first = a.get();
        List<Integer> second = b.get();
        int versions = SchemaMigrator.scripts(ResultsDatabase.Dialect.POSTGRESQL).size();
        assertThat(first.size() + second.size()).isEqualTo(versions);
        assertThat(first.isEmpty() || second.isEmpty()).as("one instance applied them all").isTrue();
      } finally {
        pool.shutdownNow();
      }
      assertThat(db.count("SELECT COUNT(*) FROM postseal_schema_version"))
          .isEqualTo(SchemaMigrator.scripts(ResultsDatabase.Dialect.POSTGRESQL).size());
    }
  }

  /** A database made by the release before issue 14 (version 1) gains the received-report tables and keeps its rows. */
  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void aVersion1Database_isMigratedToVersion2_keepingItsRows(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      try (Connection c = db.database.connect(); Statement s = c.createStatement()) {
        s.execute("DROP TABLE received_record");
        s.execute("DROP TABLE received_report");
        s.execute("DELETE FROM postseal_schema_version WHERE version > 1");
        RecordedMessages.insert(c, List.of(org.postseal.dmarc.report.ReportFixtures.message().recorded()));
      }
      try (Connection c = db.database.connect()) {
        assertThat(SchemaMigrator.migrate(db.database, c, CLOCK)).containsExactly(2);
      }
      assertThat(db.count("SELECT COUNT(*) FROM evaluated_message")).isEqualTo(1);
      assertThat(db.count("SELECT COUNT(*) FROM received_report")).isZero();
      assertThat(db.count("SELECT COUNT(*) FROM postseal_schema_version WHERE version = 2 AND description ="
          + " 'aggregate reports received from other receivers (postseal report import)'")).isEqualTo(1);
    }
  }

  @Test
  void scriptsSplitIntoStatementsAtSemicolonsThatEndALine() {
    assertThat(SchemaMigrator.statements("-- what\nCREATE TABLE a (x TEXT);\n\n-- note\nCREATE INDEX i\n  ON a (x);\n"))
        .containsExactly("CREATE TABLE a (x TEXT)", "CREATE INDEX i\n  ON a (x)");
  }

  @Test
  void aDatabaseUrlOfAnotherKind_isRefused() {
    assertThatThrownBy(() -> ResultsDatabase.open("jdbc:mysql://db/x?password=secret", dir, CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(parameters hidden)")
        .hasMessageNotContaining("secret");
  }

  @Test
  void theDefaultIsPostsealDbInTheStateDir_inWalMode() throws SQLException {
    ResultsDatabase db = ResultsDatabase.open("", dir.resolve("state"), CLOCK);
    assertThat(db.description()).isEqualTo(dir.resolve("state").resolve("postseal.db").toString());
    assertThat(dir.resolve("state").resolve("postseal.db")).exists();
    try (Connection c = db.connect(); Statement s = c.createStatement();
         java.sql.ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("wal");
    }
  }
}
