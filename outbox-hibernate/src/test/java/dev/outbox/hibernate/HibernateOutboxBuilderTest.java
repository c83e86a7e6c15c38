package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.outbox.OutboxException;
import dev.outbox.drain.Outcome;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import dev.outbox.job.JobKind;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What build() checks once, so that nothing about change events fails later inside a flush. */
class HibernateOutboxBuilderTest extends HibernateTestBase {
  private SessionFactory other;

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }

  /** A job hierarchy with no leaf for change events. */
  sealed interface PlainJob {
    record Ping(String to) implements PlainJob {}
  }

  /** A change-event leaf that needs a value the events do not carry. */
  sealed interface NeedyJob {
    @JobKind(value = "db/", prefix = true)
    record Changed(String kind, long tenantId) implements NeedyJob {}
  }

  /** A second SessionFactory on the same database, for outboxes built apart from the test's. */
  private SessionFactory otherFactory() {
    other = sessionFactory();
    return other;
  }

  @AfterEach
  void closeOther() {
    if (other != null) {
      other.close();
    }
  }

  private <J> JdbcOutbox<J> jdbcFor(Class<J> root) {
    return JdbcOutbox.builder(dataSource, root).jobTable(jdbc.jobTable()).build();
  }

  @Test
  void aJobHierarchyWithoutALeafForChangeEventsIsRefusedWithTheRecordToAdd() {
    var builder = HibernateOutbox.builder(jdbcFor(PlainJob.class), otherFactory());
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertContains(
        refused.getMessage(),
        "dev.outbox.hibernate.Customer",
        "'db/customers.created'",
        "@JobKind(value = \"db/\", prefix = true) record EntityChanged(");
  }

  @Test
  void aLeafThatCannotHoldTheEventsPayloadIsRefused() {
    var builder = HibernateOutbox.builder(jdbcFor(NeedyJob.class), otherFactory());
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertContains(refused.getMessage(), "cannot hold the change event", "tenantId");
  }

  @Test
  void aSecondOutboxWithChangeEventsOnTheSameFactoryIsRefusedSoThatNoEventIsWrittenTwice() {
    var builder = HibernateOutbox.builder(jdbc, sessionFactory);
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertContains(refused.getMessage(), "already produces change events on this SessionFactory");
  }

  @Test
  void anEntityCanBeOptedInWithoutTheAnnotationUnderAChosenName() {
    HibernateOutbox<ShopJob> teams =
        HibernateOutbox.builder(jdbc, otherFactory()).changeEvents(Team.class, "teams").build();
    other.inTransaction(session -> session.persist(new Team(1, "core")));
    assertEquals(List.of("db/teams.created"), kinds());
    assertEquals("teams", teams.changeEventNames().get(Team.class.getName()));
  }

  @Test
  void annotatedEntitiesAreNamedAsAnnotatedOrAfterTheirTable() {
    assertEquals(
        Map.of(Customer.class.getName(), "customers", Note.class.getName(), table("note")),
        outbox.changeEventNames());
  }

  @Test
  void aClassThatIsNotAnEntityOfTheFactoryIsRefused() {
    var builder = HibernateOutbox.builder(jdbc, otherFactory()).changeEvents(String.class);
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertContains(refused.getMessage(), "java.lang.String", "does not map as entities");
  }

  @Test
  void aNameThatCannotBeUsedInAKindIsRefused() {
    var builder =
        HibernateOutbox.builder(jdbc, otherFactory()).changeEvents(Team.class, "team/s pace");
    var refused = assertThrows(OutboxException.Misconfigured.class, builder::build);
    assertContains(refused.getMessage(), "'team/s pace'", "cannot be used in a kind");
  }

  @Test
  void withoutChangeEventsOutsideATransactionIsRefusedAndRunsNothing() {
    try (var session = sessionFactory.openSession()) {
      var refused =
          assertThrows(
              OutboxException.EnqueueRefused.class,
              () -> outbox.withoutChangeEvents(session, () -> fail()));
      assertContains(refused.getMessage(), "no transaction is active");
    }
  }

  private static void fail() {
    throw new AssertionError("the work must not run");
  }

  @Test
  void sessionHandlersAreRefusedOnAFactoryThatRunsItsTransactionsWithJta() {
    other =
        new HibernatePersistenceConfiguration("outbox-jta-" + prefix)
            .managedClasses(Team.class)
            .property("hibernate.connection.datasource", dataSource)
            .property("hibernate.transaction.coordinator_class", "jta")
            .property("hibernate.dialect", "org.hibernate.dialect.H2Dialect")
            .property("hibernate.boot.allow_jdbc_metadata_access", false)
            .createEntityManagerFactory();
    HibernateOutbox<ShopJob> jta = HibernateOutbox.builder(jdbc, other).build();
    var refused =
        assertThrows(
            OutboxException.Misconfigured.class,
            () -> jta.transactional((job, session) -> Outcome.done()));
    assertContains(refused.getMessage(), "JTA", "JDBC transaction coordinator");
  }
}
