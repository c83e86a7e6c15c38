package dev.outbox.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxException;
import dev.outbox.drain.Drainer;
import dev.outbox.drain.JobHandler;
import dev.outbox.drain.Outcome;
import dev.outbox.internal.OutboxStore;
import dev.outbox.jdbc.internal.JdbcStore;
import dev.outbox.jdbc.internal.SqlDialect;
import dev.outbox.jdbc.internal.Transactions;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.EnqueueOptions;
import dev.outbox.job.JobCodec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What only PostgreSQL does: LISTEN/NOTIFY wake-ups (enqueue notifies, throttled; the trigger is
 * opt-in) and the autovacuum check.
 */
class PostgresOnlyTest extends OutboxTestBase {
  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }

  /** Generous: a test fails on a missing wake-up, never on speed; the poll is a minute away. */
  private static final long DEADLINE_SECONDS = 10;

  private static final Duration A_MINUTE = Duration.ofMinutes(1);

  @Test
  void aListeningDrainerOnAPoolOfOneRefusesToStartAndSaysWhy() {
    try (HikariDataSource one = smallPool(1, 2_000)) {
      Drainer<TestJob> drainer = outboxOn(one).build().drainer().handler(job -> null).build();
      OutboxException.Misconfigured refused =
          assertThrows(OutboxException.Misconfigured.class, drainer::start);
      assertContains(refused.getMessage(), "at most 1 connection", "listen(false)");
      assertFalse(drainer.isRunning());
      drainer.close();
    }
  }

  @Test
  void aJobEnqueuedThroughTheLibraryWakesAListeningDrainerAlthoughTheTableHasNoTrigger()
      throws Exception {
    assertEquals(0, triggersOnJobTable(), "the default DDL creates no trigger");
    CountDownLatch handled = new CountDownLatch(1);
    try (Drainer<TestJob> drainer = startedListening(job -> countDown(handled))) {
      enqueueCommitted(new TestJob.Greet("pushed"));
      assertTrue(
          handled.await(DEADLINE_SECONDS, TimeUnit.SECONDS),
          "the commit's NOTIFY woke the drainer before its poll, a minute away");
    }
  }

  @Test
  void aJobTableWhoseQualifiedNameIsLongerThanAChannelNameStillWakesAListeningDrainer()
      throws Exception {
    // PostgreSQL keeps 63 bytes of a channel name and pg_notify refuses a longer one; a
    // schema-qualified table name can be twice that long.
    String schema = "outbox_channel_" + jobTable;
    String table = schema + "." + jobTable + "_with_a_name_long_enough_to_be_cut";
    assertTrue(table.length() > 63, table);
    execute("CREATE SCHEMA " + schema);
    try {
      JdbcOutbox<TestJob> longNamed =
          JdbcOutbox.builder(dataSource, TestJob.class)
              .jobTable(table)
              .deadLetterTable(schema + ".dead")
              .build();
      longNamed.createSchemaIfMissing();
      CountDownLatch handled = new CountDownLatch(1);
      try (Drainer<TestJob> drainer =
          longNamed.drainer().pollInterval(A_MINUTE).handler(job -> countDown(handled)).build()) {
        drainer.start();
        awaitListening("LISTEN \"" + table.substring(0, 63) + "\"");
        try (Connection tx = transaction()) {
          longNamed.enqueue(tx, new TestJob.Greet("long name"));
          tx.commit();
        }
        assertTrue(
            handled.await(DEADLINE_SECONDS, TimeUnit.SECONDS),
            "the commit's NOTIFY on the cut channel woke the drainer before its poll");
      }
    } finally {
      execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Test
  void jobsEnqueuedInTransactionsOneRightAfterAnotherAreAllHandledPromptlyByAListeningDrainer()
      throws Exception {
    try (Connection first = transaction();
        Connection second = transaction();
        Connection third = transaction()) {
      for (Connection tx : List.of(first, second, third)) { // warm: codec, statements, paths
        outbox.enqueue(tx, new TestJob.Greet("warm-up"));
        tx.rollback();
      }
      Thread.sleep(20); // past the notify interval the warm-up started
      // One right after another, so that only the first falls outside the notify interval and
      // sends a NOTIFY (on a machine too slow for that the others notify too, and this proves
      // less; the next test does not depend on timing).
      outbox.enqueue(first, new TestJob.Greet("first"));
      outbox.enqueue(second, new TestJob.Greet("second"));
      outbox.enqueue(third, new TestJob.Greet("third"));
      assertTheOthersAreHandledAfterTheFirst(
          first::commit,
          () -> {
            second.commit();
            third.commit();
          });
    }
  }

  @Test
  void jobsCommittedWithoutANotificationWhileTheWokenDrainerHandlesItsClaimAreHandledPromptly()
      throws Exception {
    // Stand-ins for transactions inside the notify interval, whatever the timing: inserted by
    // hand, without a trigger, they notify nobody.
    assertTheOthersAreHandledAfterTheFirst(
        () -> enqueueCommitted(new TestJob.Greet("first")),
        () -> {
          for (String name : List.of("second", "third")) {
            JobCodec.Encoded row = outbox.codec().encode(new TestJob.Greet(name));
            insertRaw(row.kind(), row.payload());
          }
        });
  }

  @Test
  void
      aJobCommittedWithoutANotificationAfterTheFollowUpLookFoundNothingIsStillHandledBeforeThePoll()
          throws Exception {
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch late = new CountDownLatch(1);
    try (Drainer<TestJob> drainer =
        startedListening(
            job ->
                countDown(((TestJob.Greet) job.payload()).name().equals("first") ? first : late))) {
      enqueueCommitted(new TestJob.Greet("first"));
      assertTrue(first.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the NOTIFY woke it");
      // The 5 ms follow-up look has found nothing by now; a slow transaction of the same notify
      // window commits only now, and sends nothing.
      Thread.sleep(100);
      JobCodec.Encoded row = outbox.codec().encode(new TestJob.Greet("late"));
      insertRaw(row.kind(), row.payload());
      assertTrue(
          late.await(DEADLINE_SECONDS, TimeUnit.SECONDS),
          "the drainer's widening follow-up looks found the late job before its poll, a minute away");
    }
  }

  /**
   * Commits the job "first", whose NOTIFY wakes a listening drainer, and, while that drainer
   * handles the first job, the jobs "second" and "third", which send no NOTIFY of their own: the
   * woken drainer's claim found the first job only, and only its follow-up claim (the poll is a
   * minute away) can find the others in time.
   */
  private void assertTheOthersAreHandledAfterTheFirst(Step commitFirst, Step commitOthers)
      throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch othersCommitted = new CountDownLatch(1);
    CountDownLatch all = new CountDownLatch(3);
    try (Drainer<TestJob> drainer =
        startedListening(
            job -> {
              String name = ((TestJob.Greet) job.payload()).name();
              if (name.equals("first")) {
                firstStarted.countDown();
                othersCommitted.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
              }
              handled.add(name);
              return countDown(all);
            })) {
      commitFirst.run();
      assertTrue(firstStarted.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the NOTIFY woke it");
      commitOthers.run();
      othersCommitted.countDown();
      assertTrue(all.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "handled only " + handled);
      assertEquals(Set.of("first", "second", "third"), Set.copyOf(handled));
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  @Test
  void aRolledBackOrDeduplicatedEnqueueNotifiesNobodyAndAStoredOneNotifiesAtItsCommit()
      throws Exception {
    try (Connection listening = listeningConnection()) {
      try (Connection tx = transaction()) {
        freshOutbox().enqueue(tx, new TestJob.Greet("rolled back"));
        tx.rollback();
      }
      assertEquals(List.of(), notificationsUntilSentinel(listening), "after the rollback");

      EnqueueOptions keyed = EnqueueOptions.defaults().withIdempotencyKey("once");
      enqueueCommitted(keyed, new TestJob.Greet("stored"));
      notificationsUntilSentinel(listening);
      try (Connection tx = transaction()) {
        assertFalse(freshOutbox().enqueue(tx, new TestJob.Greet("again"), keyed).stored());
        tx.commit();
      }
      assertEquals(List.of(), notificationsUntilSentinel(listening), "after the duplicate");

      try (Connection tx = transaction()) {
        freshOutbox().enqueueAll(tx, List.of(new TestJob.Greet("a"), new TestJob.Greet("b")));
        assertEquals(List.of(), notificationsUntilSentinel(listening), "before the commit");
        tx.commit();
      }
      assertEquals(List.of(""), notificationsUntilSentinel(listening), "after the commit");
    }
  }

  @Test
  void jobsWithoutAnIdempotencyKeyTakeNoEntryInItsUniqueIndex() throws Exception {
    try (Connection tx = transaction()) {
      outbox.enqueueAll(tx, List.of(new TestJob.Greet("a"), new TestJob.Greet("b")));
      outbox.enqueue(
          tx, new TestJob.Greet("keyed"), EnqueueOptions.defaults().withIdempotencyKey("k"));
      outbox.enqueue(tx, new TestJob.Greet("deleted"));
      tx.commit();
    }
    // A dead row makes VACUUM scan every index and record each one's entries in reltuples; but a
    // snapshot held elsewhere can keep the row, and VACUUM then skips the indexes. ANALYZE counts
    // a partial index's entries from its sample, here every row, whatever VACUUM did.
    execute("DELETE FROM " + jobTable + " WHERE payload LIKE '%deleted%'");
    execute("VACUUM " + jobTable);
    execute("ANALYZE " + jobTable);
    assertEquals(1, indexEntries(jobTable + "_idempotency"), "entries in the idempotency index");
    assertEquals(3, count(jobTable));
  }

  @Test
  void claimsLeasePagesFullOfJobsWithFewNewIndexEntries() throws Exception {
    int jobs = 400; // several pages' worth
    try (Connection tx = transaction()) {
      outbox.enqueueAll(
          tx, IntStream.range(0, jobs).mapToObj(i -> new TestJob.Greet("job " + i)).toList());
      tx.commit();
    }
    enqueueCommitted(new TestJob.Greet("deleted"));
    execute("DELETE FROM " + jobTable + " WHERE payload LIKE '%deleted%'");
    OutboxStore store = store();
    try (Connection snapshot = dataSource.getConnection()) {
      // A snapshot from before the claims keeps the rows' pre-claim versions, and any index
      // entries pointing at them, from vacuum.
      snapshot.setAutoCommit(false);
      snapshot.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (Statement statement = snapshot.createStatement()) {
        statement.executeQuery("SELECT 1").close();
      }
      int claimed = 0;
      while (claimed < jobs) {
        int batch = store.claim(100, A_MINUTE).size();
        assertTrue(batch > 0, "claimed " + claimed + " of " + jobs);
        claimed += batch;
      }
      // The deleted row makes VACUUM scan every index and record its entries in reltuples.
      execute("VACUUM " + jobTable);
      for (String index : List.of(jobTable + "_run_at", jobTable + "_pkey")) {
        long newEntries = indexEntries(index) - jobs;
        // A leased version that finds no room in its page is written elsewhere, with new index
        // entries: with 90% full pages nearly every one (357 of 400), with half-empty pages only
        // the last few of a page, as a leased version is 16 bytes longer (47 of 400).
        assertTrue(
            newEntries <= jobs / 5,
            newEntries + " new entries in " + index + " for " + jobs + " leased jobs");
      }
      snapshot.rollback();
    }
  }

  @Test
  void aTableCreatedWithTheEarlierFullIdempotencyIndexStillDeduplicates() throws Exception {
    execute("DROP INDEX " + jobTable + "_idempotency");
    execute(
        "CREATE UNIQUE INDEX " + jobTable + "_idempotency ON " + jobTable + " (idempotency_key)");
    EnqueueOptions keyed = EnqueueOptions.defaults().withIdempotencyKey("once");
    try (Connection tx = transaction()) {
      assertTrue(outbox.enqueue(tx, new TestJob.Greet("first"), keyed).stored());
      assertFalse(outbox.enqueue(tx, new TestJob.Greet("second"), keyed).stored());
      tx.commit();
    }
    assertEquals(1, count(jobTable));
  }

  @Test
  void theOptInTriggerAppliesTwiceAndWakesAListeningDrainerForARowInsertedByHand()
      throws Exception {
    outbox.createNotifyTrigger();
    outbox.createNotifyTrigger();
    assertEquals(1, triggersOnJobTable());
    CountDownLatch handled = new CountDownLatch(1);
    try (Drainer<TestJob> drainer = startedListening(job -> countDown(handled))) {
      JobCodec.Encoded row = outbox.codec().encode(new TestJob.Greet("by hand"));
      insertRaw(row.kind(), row.payload());
      assertTrue(
          handled.await(DEADLINE_SECONDS, TimeUnit.SECONDS),
          "the trigger's NOTIFY woke the drainer before its poll, a minute away");
    }
  }

  @Test
  void theNotifyTriggerIsRefusedOnOtherDatabases() {
    var h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:notify;DB_CLOSE_DELAY=-1");
    var error =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> JdbcOutbox.builder(h2, TestJob.class).build().createNotifyTrigger());
    assertContains(error.getMessage(), "PostgreSQL only");
  }

  @Test
  void aClosedDrainerHandsItsListeningConnectionBackToThePoolNoLongerListening() throws Exception {
    // The listener borrows from the application's pool, which does not reset sessions. Handed back
    // still listening, the connection would collect every later notification for whoever borrows
    // it next, and PostgreSQL would signal its session at every notifying commit.
    try (HikariDataSource pool = database().open(2)) {
      JdbcOutbox<TestJob> onTwoConnections = outboxOn(pool).build();
      Drainer<TestJob> drainer =
          onTwoConnections.drainer().pollInterval(A_MINUTE).handler(job -> Outcome.done()).build();
      drainer.start();
      awaitListening("LISTEN \"" + jobTable + "\"");
      drainer.close();
      try (Connection one = pool.getConnection();
          Connection other = pool.getConnection()) {
        assertEquals(
            List.of(),
            listenedChannels(one, other),
            "channels the pool's two connections still listen on after the drainer closed");
      }
    }
  }

  private static List<String> listenedChannels(Connection... connections) throws SQLException {
    List<String> channels = new ArrayList<>();
    for (Connection connection : connections) {
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT pg_listening_channels()")) {
        while (rows.next()) {
          channels.add(rows.getString(1));
        }
      }
    }
    return channels;
  }

  /** A started drainer that only a notification can wake in time, past its catch-up claim. */
  private Drainer<TestJob> startedListening(JobHandler<TestJob> handler) throws Exception {
    Drainer<TestJob> drainer = drainer().pollInterval(A_MINUTE).handler(handler).build();
    drainer.start();
    awaitListening("LISTEN \"" + jobTable + "\"");
    return drainer;
  }

  /** Waits until a session sits idle after {@code listen}, and past its catch-up claim. */
  private void awaitListening(String listen) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (queryLong(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle' AND query = ?", listen)
        == 0) {
      assertTrue(System.nanoTime() < deadline, "the drainer's listener never ran " + listen);
      Thread.sleep(20);
    }
    Thread.sleep(300); // the listener's catch-up wake has been claimed; next poll in a minute
  }

  private static Outcome countDown(CountDownLatch latch) {
    latch.countDown();
    return Outcome.done();
  }

  /** Another outbox on the same tables, whose first enqueue is never throttled. */
  private JdbcOutbox<TestJob> freshOutbox() {
    return outboxOn(dataSource).build();
  }

  /** The library's store over this test's tables, called directly. */
  private OutboxStore store() {
    return new JdbcStore(
        SqlDialect.of(Dialect.POSTGRESQL, jobTable, deadLetterTable), new Transactions(dataSource));
  }

  /** An index's entries as the last VACUUM counted them. */
  private long indexEntries(String index) throws SQLException {
    return queryLong("SELECT reltuples::BIGINT FROM pg_class WHERE oid = to_regclass(?)", index);
  }

  private Connection transaction() throws SQLException {
    Connection connection = dataSource.getConnection();
    connection.setAutoCommit(false);
    return connection;
  }

  private Connection listeningConnection() throws SQLException {
    Connection connection = dataSource.getConnection();
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN \"" + jobTable + "\"");
    }
    return connection;
  }

  /**
   * The payloads delivered on the job table's channel before a sentinel committed now (the
   * library's notifications carry none); PostgreSQL delivers notifications in commit order.
   */
  private List<String> notificationsUntilSentinel(Connection listening) throws Exception {
    execute("NOTIFY \"" + jobTable + "\", 'sentinel'");
    List<String> payloads = new ArrayList<>();
    PGConnection pg = listening.unwrap(PGConnection.class);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (System.nanoTime() < deadline) {
      PGNotification[] received = pg.getNotifications(500);
      for (PGNotification notification : received == null ? new PGNotification[0] : received) {
        if (notification.getParameter().equals("sentinel")) {
          return payloads;
        }
        payloads.add(notification.getParameter());
      }
    }
    throw new AssertionError("the sentinel notification never arrived; got " + payloads);
  }

  private long triggersOnJobTable() throws SQLException {
    return queryLong(
        "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal",
        jobTable);
  }

  @Test
  void theDrainerWarnsWhenAutovacuumWillNotReachTheJobTable() throws Exception {
    String setting;
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_setting('autovacuum')")) {
      row.next();
      setting = row.getString(1);
    }
    OutboxStore store = store();
    List<String> warnings = store.startupWarnings();
    if ("off".equals(setting)) {
      assertEquals(1, warnings.size());
      assertContains(
          warnings.get(0),
          "autovacuum will not reach the job table " + jobTable,
          "ALTER SYSTEM SET autovacuum = on");
    }
    execute("ALTER TABLE " + jobTable + " SET (autovacuum_enabled = false)");
    assertContains(String.join("", store.startupWarnings()), "autovacuum will not reach");
  }
}
