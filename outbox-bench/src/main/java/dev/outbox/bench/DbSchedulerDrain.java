package dev.outbox.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Peer: db-scheduler's one-time tasks, drained with its {@code lock-and-fetch} polling (one {@code
 * SELECT … FOR UPDATE SKIP LOCKED} that marks a batch picked) and the fetch fractions its README
 * gives for high throughput, {@code pollUsingLockAndFetch(1.0, 4.0)}. The job number is the task
 * instance id, as its README suggests for small one-time data.
 */
final class DbSchedulerDrain implements DrainContestant {
  static final String TABLE = "bench_scheduled_tasks";

  private final Database db;
  private final OneTimeTask<Void> task;
  private volatile Tally current = Tally.of(0);

  DbSchedulerDrain(Database db) {
    this.db = db;
    this.task =
        Tasks.oneTime("bench-noop")
            .execute((instance, context) -> current.handled(Long.parseLong(instance.getId())));
  }

  @Override
  public String name() {
    return "db-scheduler";
  }

  /** Creates its table, with the columns and indexes of its PostgreSQL schema. */
  void createTable() {
    db.drop(TABLE);
    db.execute(
        "CREATE TABLE "
            + TABLE
            + " (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, task_data BYTEA,"
            + " execution_time TIMESTAMPTZ NOT NULL, picked BOOLEAN NOT NULL, picked_by TEXT,"
            + " last_success TIMESTAMPTZ, last_failure TIMESTAMPTZ, consecutive_failures INT,"
            + " last_heartbeat TIMESTAMPTZ, version BIGINT NOT NULL, priority SMALLINT,"
            + " PRIMARY KEY (task_name, task_instance))",
        "CREATE INDEX " + TABLE + "_execution_time ON " + TABLE + " (execution_time)",
        "CREATE INDEX " + TABLE + "_last_heartbeat ON " + TABLE + " (last_heartbeat)",
        "CREATE INDEX "
            + TABLE
            + "_priority_execution_time ON "
            + TABLE
            + " (priority DESC, execution_time)");
  }

  @Override
  public void prefill(int jobs, DrainSetup setup) {
    db.execute("TRUNCATE TABLE " + TABLE);
    SchedulerClient client =
        SchedulerClient.Builder.create(db.uncounted(), task).tableName(TABLE).build();
    Instant due = Instant.now().minusSeconds(60);
    List<TaskInstance<?>> chunk = new ArrayList<>();
    for (int seq = 0; seq < jobs; seq++) {
      chunk.add(task.instance(Integer.toString(seq)));
      if (chunk.size() == 1_000 || seq == jobs - 1) {
        client.scheduleBatch(chunk, due);
        chunk.clear();
      }
    }
    db.vacuumAnalyze(TABLE);
  }

  @Override
  public AutoCloseable start(DrainSetup setup, Tally tally) {
    current = tally;
    Scheduler scheduler =
        Scheduler.create(db.dataSource(), task)
            .tableName(TABLE)
            .threads(setup.threads())
            .pollUsingLockAndFetch(1.0, 4.0)
            .pollingInterval(Duration.ofMillis(100))
            .schedulerName(new SchedulerName.Fixed("bench"))
            .build();
    scheduler.start();
    return scheduler::stop;
  }

  @Override
  public long leftOver() {
    return db.rows(TABLE);
  }
}
