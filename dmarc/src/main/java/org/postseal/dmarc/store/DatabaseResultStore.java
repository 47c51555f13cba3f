package org.postseal.dmarc.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.report.RecordedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DmarcResultStore} of {@code serve}: evaluated messages go into a bounded queue and one writer thread
 * ({@code postseal-results}) writes them to the database in batches, one transaction each. {@link #record} never
 * waits: when the queue is full the message is dropped, counted ({@link ReportingCounters#rowsDropped()}) and
 * logged at WARN (at most once per {@link #DROP_LOG_INTERVAL}). A write the database refuses drops its batch the
 * same way, and the writer reconnects after a pause; the milter never notices.
 *
 * <p>The writer opens (and migrates) the database itself, so that {@code serve} listens without waiting for it
 * (sqlite-jdbc loading its native library takes about half a second): messages queue meanwhile. A database that
 * cannot be opened is logged at ERROR and tried again after a pause; the queue fills, then drops.
 *
 * <p>Mail addressed to one of {@link OwnReportAddresses} is not recorded (report loops). {@link #close} stops
 * accepting, writes what is queued (for at most {@link #DRAIN_TIME}) and ends the thread.
 */
public final class DatabaseResultStore implements DmarcResultStore, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseResultStore.class);

  /** Messages waiting for the writer: about 2 KB each, so at most some 20 MB; minutes of a busy server's mail. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** Rows per transaction: SQLite writes ~100k rows/s in batches; one commit per row would manage ~1k. */
  static final int MAX_BATCH = 500;
  static final Duration DROP_LOG_INTERVAL = Duration.ofMinutes(1);
  static final Duration DRAIN_TIME = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(30);

  /** Opens and migrates the database: called by the writer until it succeeds. */
  @FunctionalInterface
  public interface Opener {
    ResultsDatabase open() throws SQLException;
  }

  private final Opener opener;
  private final String description;
  private volatile ResultsDatabase database;
  private final ReportingCounters counters;
  private final OwnReportAddresses ownAddresses;
  private final BlockingQueue<EvaluatedMessage> queue;
  private final Thread writer;
  private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
  /** Queued or being written: what {@link #awaitWritten} waits for. */
  private final AtomicLong pending = new AtomicLong();
  private volatile boolean closing;

  /** A store over a database already open. */
  public DatabaseResultStore(ResultsDatabase database, ReportingCounters counters, OwnReportAddresses ownAddresses) {
    this(database, counters, ownAddresses, DEFAULT_QUEUE_CAPACITY);
  }

  public DatabaseResultStore(ResultsDatabase database, ReportingCounters counters, OwnReportAddresses ownAddresses,
                             int queueCapacity) {
    this(() -> database, database.description(), counters, ownAddresses, queueCapacity);
  }

  /**
   * A store whose writer opens the database with {@code opener}.
   *
   * @param description the database for logs, before it is open (no credentials)
   */
  public DatabaseResultStore(Opener opener, String description, ReportingCounters counters,
                             OwnReportAddresses ownAddresses, int queueCapacity) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.description = Objects.requireNonNull(description, "description");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.ownAddresses = Objects.requireNonNull(ownAddresses, "ownAddresses");
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("result queue capacity must be at least 1, was " + queueCapacity);
    }
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.writer = new Thread(this::writeLoop, "postseal-results");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Queues {@code message}; never blocks, never throws for a full queue or a failing database. */
  @Override
  public void record(EvaluatedMessage message) {
    Objects.requireNonNull(message, "message");
    if (closing || ownAddresses.containsAny(message.recipients())) {
      return;
    }
    pending.incrementAndGet();
    if (!queue.offer(message)) {
      pending.decrementAndGet();
      counters.addRowsDropped(1);
      long now = System.nanoTime();
      long last = lastDropLog.get();
      if ((last == Long.MIN_VALUE || now - last >= DROP_LOG_INTERVAL.toNanos()) && lastDropLog.compareAndSet(last, now)) {
        LOG.warn("results store: the write queue is full ({} messages waiting for {}): dropping evaluated messages"
            + " ({} dropped so far); the DMARC reports will undercount", queue.size(), description, counters.rowsDropped());
      }
    }
  }

  /** The database, once the writer has opened it. */
  public Optional<ResultsDatabase> database() {
    return Optional.ofNullable(database);
  }

  /** How many messages wait for the writer. */
  public int queued() {
    return queue.size();
  }

  /** Waits until every message queued so far is written (or dropped); for tests and {@link #close}. */
  public boolean awaitWritten(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() {
    closing = true;
    try {
      if (!awaitWritten(DRAIN_TIME)) {
        LOG.warn("results store: {} evaluated messages not written before shutdown", queue.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.interrupt();
    try {
      writer.join(DRAIN_TIME.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    if (!openDatabase()) {
      return;
    }
    Connection connection = null;
    Duration pause = Duration.ofSeconds(1);
    List<EvaluatedMessage> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        EvaluatedMessage first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          if (closing) {
            break;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        if (connection == null) {
          connection = database.connect();
        }
        write(connection, batch);
        pause = Duration.ofSeconds(1);
      } catch (InterruptedException e) {
        if (closing) {
          break;
        }
      } catch (SQLException | RuntimeException e) {
        counters.addRowsDropped(batch.size());
        LOG.warn("results store: cannot write {} evaluated messages to {} (retrying in {} s): {}", batch.size(),
            description, pause.toSeconds(), e.toString());
        closeQuietly(connection);
        connection = null;
        if (!sleep(pause)) {
          break;
        }
        pause = pause.multipliedBy(2).compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause.multipliedBy(2);
      } finally {
        pending.addAndGet(-batch.size());
        batch.clear();
      }
    }
    closeQuietly(connection);
  }

  /**
   * Opens the database, trying again after a growing pause while it fails (a PostgreSQL that starts after us);
   * messages queue meanwhile. False when the store closed first.
   */
  private boolean openDatabase() {
    Duration pause = Duration.ofSeconds(1);
    boolean logged = false;
    while (!closing) {
      try {
        database = opener.open();
        LOG.info("results database: {} ({})", description, database.dialect().name().toLowerCase(java.util.Locale.ROOT));
        return true;
      } catch (SQLException | RuntimeException e) {
        if (!logged) {
          // the operator must act: no report is built from what is not stored
          LOG.error("results database {}: cannot open it ({}); evaluated messages wait in the queue (then are dropped)"
              + " and no report is sent until it opens; trying again", description, e.getMessage());
          logged = true;
        } else {
          LOG.warn("results database {}: still cannot open it, next try in {} s: {}", description, pause.toSeconds(),
              e.getMessage());
        }
        if (!sleep(pause)) {
          return false;
        }
        pause = pause.multipliedBy(2).compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause.multipliedBy(2);
      }
    }
    return false;
  }

  private void write(Connection connection, List<EvaluatedMessage> batch) throws SQLException {
    List<RecordedMessage> rows = new ArrayList<>(batch.size());
    for (EvaluatedMessage m : batch) {
      Optional<RecordedMessage> row = RecordedMessage.of(m);
      row.ifPresent(rows::add);
    }
    if (rows.isEmpty()) {
      return;
    }
    database.transaction(connection, c -> {
      RecordedMessages.insert(c, rows);
      return null;
    });
    counters.addRowsStored(rows.size());
  }

  private boolean sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
      return true;
    } catch (InterruptedException e) {
      return !closing;
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing more to lose
      }
    }
  }
}
