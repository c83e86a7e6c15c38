package dev.outbox.hibernate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.drain.Drainer;
import dev.outbox.hibernate.ShopJob.EntityChanged;
import dev.outbox.jdbc.JdbcOutbox;
import dev.outbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real database, fresh outbox tables and a fresh SessionFactory (HikariCP pool, JDBC batching of
 * 20, tables prefixed per test) for every test; helpers that read the job table directly.
 */
public abstract class HibernateTestBase {
  protected static final int BATCH_SIZE = 20;

  protected HikariDataSource dataSource;
  protected String prefix;
  protected JdbcOutbox<ShopJob> jdbc;
  protected SessionFactory sessionFactory;
  protected HibernateOutbox<ShopJob> outbox;
  private final List<Drainer<?>> drainers = new ArrayList<>();

  /** The database this test class runs on. */
  protected abstract TestDatabase database();

  /** A row of the job table as stored. */
  protected record StoredJob(long id, String kind, String payload, String orderingKey) {}

  @BeforeEach
  void openDatabase() {
    dataSource = database().open(8);
    prefix = TestDatabase.uniquePrefix();
    jdbc =
        JdbcOutbox.builder(dataSource, ShopJob.class)
            .jobTable(prefix + "_job")
            .deadLetterTable(prefix + "_dead")
            .build();
    jdbc.createSchemaIfMissing();
    sessionFactory = sessionFactory();
    outbox = HibernateOutbox.builder(jdbc, sessionFactory).build();
  }

  @AfterEach
  void closeDatabase() {
    drainers.forEach(Drainer::close);
    if (sessionFactory != null) {
      sessionFactory.close();
    }
    if (dataSource != null) {
      TestDatabase.drop(dataSource, jdbc.jobTable(), jdbc.deadLetterTable());
      dataSource.close();
    }
  }

  /** A SessionFactory over the test's pool; its tables are created now and dropped at close. */
  protected SessionFactory sessionFactory() {
    return new HibernatePersistenceConfiguration("outbox-test-" + prefix)
        .managedClasses(Customer.class, Team.class, Note.class)
        .property("hibernate.connection.datasource", dataSource)
        .property("hibernate.physical_naming_strategy", new PrefixedNames(prefix))
        .property("hibernate.jdbc.batch_size", BATCH_SIZE)
        .property("hibernate.generate_statistics", true)
        .schemaToolingAction(Action.CREATE_DROP)
        .createEntityManagerFactory();
  }

  /** Closes the drainer after the test. */
  protected <D extends Drainer<?>> D closedAfterTest(D drainer) {
    drainers.add(drainer);
    return drainer;
  }

  /** The physical name of an entity table. */
  protected String table(String logical) {
    return prefix + "_" + logical;
  }

  /** Every job row, in id order. */
  protected List<StoredJob> jobs() {
    String sql = "SELECT id, kind, payload, ordering_key FROM " + jdbc.jobTable() + " ORDER BY id";
    List<StoredJob> rows = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        rows.add(
            new StoredJob(
                result.getLong(1), result.getString(2), result.getString(3), result.getString(4)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  /** The kinds of every job row, in id order. */
  protected List<String> kinds() {
    return jobs().stream().map(StoredJob::kind).toList();
  }

  /** Every stored change event, parsed as a handler would see it, in id order. */
  protected List<EntityChanged> changeEvents() {
    return jobs().stream()
        .filter(job -> job.kind().startsWith("db/"))
        .map(job -> (EntityChanged) jdbc.codec().parse(job.kind(), job.payload()).get())
        .toList();
  }

  protected long count(String table) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet result = statement.executeQuery()) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fails unless {@code text} contains every one of {@code parts}. */
  protected static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text != null && text.contains(part), "expected '" + part + "' in: " + text);
    }
  }
}
