package dev.outbox.hibernate;

import dev.outbox.job.JobKind;
import java.util.List;
import java.util.Map;

/** The job hierarchy of the Hibernate tests: one ordinary job, and the leaf of change events. */
public sealed interface ShopJob {
  /** An ordinary job enqueued by hand. */
  record SendWelcome(String email) implements ShopJob {}

  /** Every change event, {@code db/<table>.<action>}. */
  @JobKind(value = "db/", prefix = true)
  record EntityChanged(
      String kind,
      String table,
      String action,
      String id,
      Map<String, Object> state,
      List<String> changed,
      Map<String, Object> previous)
      implements ShopJob {}
}
