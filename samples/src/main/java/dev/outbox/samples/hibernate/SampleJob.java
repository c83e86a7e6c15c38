package dev.outbox.samples.hibernate;

import dev.outbox.job.JobKind;
import java.util.List;
import java.util.Map;

/** The sample's jobs: here only the change events of its entities. */
public sealed interface SampleJob {

  /** Every database change event, {@code db/<table>.created|updated|deleted}. */
  @JobKind(value = "db/", prefix = true)
  record EntityChanged(
      String kind,
      String table,
      String action,
      String id,
      Map<String, Object> state,
      List<String> changed,
      Map<String, Object> previous)
      implements SampleJob {}
}
