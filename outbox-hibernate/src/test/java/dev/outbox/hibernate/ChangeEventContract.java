package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outbox.hibernate.ShopJob.EntityChanged;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Entities opted in to change events enqueue db/<table>.<action> jobs in their own flush. */
public abstract class ChangeEventContract extends HibernateTestBase {

  private void signUp(long id) {
    sessionFactory.inTransaction(
        session -> {
          Team team = new Team(100 + id, "core");
          session.persist(team);
          Customer customer = new Customer(id, "ada@example.com", "Ada");
          customer.team = team;
          customer.tier = Customer.Tier.GOLD;
          customer.address = new Address("1 Loop Rd", "Cambridge");
          customer.tags.add("vip");
          session.persist(customer);
        });
  }

  @Test
  void insertingAnOptedInEntityEnqueuesACreatedEventWithItsIdAndState() {
    signUp(7);
    EntityChanged created = changeEvents().get(0);
    assertEquals("db/customers.created", created.kind());
    assertEquals("customers", created.table());
    assertEquals("created", created.action());
    assertEquals("7", created.id());
    assertEquals("ada@example.com", created.state().get("email"));
    assertEquals("Ada", created.state().get("name"));
    assertEquals(0, created.state().get("visits"));
    assertEquals("2024-02-29", created.state().get("since"));
    assertEquals("GOLD", created.state().get("tier"));
    assertEquals(107, ((Number) created.state().get("team")).intValue(), "a reference is its id");
    assertEquals(
        Map.of("street", "1 Loop Rd", "city", "Cambridge"), created.state().get("address"));
    assertFalse(created.state().containsKey("tags"), "collections are left out");
    assertEquals(List.of(), created.changed());
    assertEquals(List.of("db/customers.created"), kinds(), "Team is not opted in");
    assertEquals("db/customers/7", jobs().get(0).orderingKey());
  }

  @Test
  void updatingEnqueuesAnUpdatedEventNamingTheChangedPropertiesAndTheirPreviousValues() {
    signUp(7);
    sessionFactory.inTransaction(
        session -> {
          Customer customer = session.find(Customer.class, 7L);
          customer.email = "ada@lovelace.org";
          customer.visits = 3;
        });
    EntityChanged updated = changeEvents().get(1);
    assertEquals("db/customers.updated", updated.kind());
    assertEquals("updated", updated.action());
    assertEquals("7", updated.id());
    assertEquals(List.of("email", "visits"), updated.changed().stream().sorted().toList());
    assertEquals("ada@lovelace.org", updated.state().get("email"));
    assertEquals("Ada", updated.state().get("name"));
    assertEquals(Map.of("email", "ada@example.com", "visits", 0), updated.previous());
  }

  @Test
  void deletingEnqueuesADeletedEventWithTheLastState() {
    signUp(7);
    sessionFactory.inTransaction(session -> session.remove(session.find(Customer.class, 7L)));
    EntityChanged deleted = changeEvents().get(1);
    assertEquals("db/customers.deleted", deleted.kind());
    assertEquals("deleted", deleted.action());
    assertEquals("7", deleted.id());
    assertEquals("ada@example.com", deleted.state().get("email"));
    assertEquals(0, count(table("customer")));
  }

  @Test
  void theEventsOfARowAreEnqueuedInOrderUnderTheRowsOrderingKey() {
    signUp(7);
    signUp(8);
    sessionFactory.inTransaction(session -> session.find(Customer.class, 7L).name = "Ada L.");
    sessionFactory.inTransaction(session -> session.find(Customer.class, 7L).visits = 1);
    sessionFactory.inTransaction(session -> session.remove(session.find(Customer.class, 7L)));
    List<StoredJob> ofAda =
        jobs().stream().filter(job -> "db/customers/7".equals(job.orderingKey())).toList();
    assertEquals(
        List.of(
            "db/customers.created",
            "db/customers.updated",
            "db/customers.updated",
            "db/customers.deleted"),
        ofAda.stream().map(StoredJob::kind).toList());
    assertEquals(5, jobs().size());
  }

  @Test
  void aRolledBackTransactionLeavesNoChangeEvents() {
    assertThrows(
        IllegalStateException.class,
        () ->
            sessionFactory.inTransaction(
                session -> {
                  session.persist(new Customer(7, "ada@example.com", "Ada"));
                  session.persist(new Note("hello"));
                  session.flush();
                  throw new IllegalStateException("signup failed");
                }));
    assertEquals(List.of(), jobs());
    assertEquals(0, count(table("customer")));
  }

  @Test
  void anEntityWithDatabaseGeneratedIdsCarriesItsIdAndIsNamedAfterItsTable() {
    long id =
        sessionFactory.fromTransaction(
            session -> {
              Note note = new Note("hello");
              session.persist(note);
              return note.id;
            });
    EntityChanged created = changeEvents().get(0);
    assertEquals("db/" + table("note") + ".created", created.kind());
    assertEquals(String.valueOf(id), created.id());
    assertEquals("hello", created.state().get("text"));
  }

  @Test
  void aJpaEntityTransactionProducesTheSameEvents() {
    EntityManager entityManager = sessionFactory.createEntityManager();
    try {
      entityManager.getTransaction().begin();
      entityManager.persist(new Customer(7, "ada@example.com", "Ada"));
      entityManager.getTransaction().commit();
    } finally {
      entityManager.close();
    }
    assertEquals(List.of("db/customers.created"), kinds());
  }

  @Test
  void aStatelessSessionProducesEventsTooButWithoutOldStateAnUpdateListsEveryProperty() {
    sessionFactory.inStatelessTransaction(
        session -> session.insert(new Customer(7, "ada@example.com", "Ada")));
    sessionFactory.inStatelessTransaction(
        session -> {
          Customer customer = session.get(Customer.class, 7L);
          customer.name = "Ada L.";
          session.update(customer);
        });
    List<EntityChanged> events = changeEvents();
    assertEquals(
        List.of("db/customers.created", "db/customers.updated"),
        events.stream().map(EntityChanged::kind).toList());
    assertTrue(events.get(1).changed().containsAll(List.of("name", "email")));
    assertEquals("Ada L.", events.get(1).state().get("name"));
  }

  @Test
  void batchInsertsStillBatchAndEveryRowGetsItsEvent() {
    int rows = 3 * BATCH_SIZE;
    var statistics = sessionFactory.getStatistics();
    statistics.clear();
    sessionFactory.inTransaction(
        session ->
            LongStream.rangeClosed(1, rows)
                .forEach(id -> session.persist(new Customer(id, "c" + id + "@x", "C" + id))));
    // Hibernate's own statements (the event rows are written beside it with plain JDBC): one
    // reused for every batch of customers; without batching it would prepare one per customer.
    long prepared = statistics.getPrepareStatementCount();
    assertEquals(rows, count(table("customer")));
    List<EntityChanged> events = changeEvents();
    assertEquals(rows, events.size());
    assertEquals(
        LongStream.rangeClosed(1, rows).mapToObj(String::valueOf).toList(),
        events.stream().map(EntityChanged::id).toList());
    assertTrue(prepared <= rows / BATCH_SIZE, "Hibernate prepared " + prepared + " statements");
  }

  @Test
  void changesInsideWithoutChangeEventsProduceNoEventsWhileChangesBeforeItDo() {
    signUp(7);
    sessionFactory.inTransaction(
        session -> {
          session.find(Customer.class, 7L).name = "before the block";
          outbox.withoutChangeEvents(
              session,
              () -> {
                session.find(Customer.class, 7L).visits = 99;
                session.persist(new Customer(8, "quiet@example.com", "Quiet"));
              });
        });
    sessionFactory.inTransaction(session -> session.find(Customer.class, 7L).visits = 100);
    List<EntityChanged> events = changeEvents();
    assertEquals(
        List.of("db/customers.created", "db/customers.updated", "db/customers.updated"),
        events.stream().map(EntityChanged::kind).toList());
    assertEquals(List.of("name"), events.get(1).changed());
    assertEquals(Map.of("visits", 99), events.get(2).previous(), "after the block, events again");
    assertEquals(2, count(table("customer")));
  }
}
