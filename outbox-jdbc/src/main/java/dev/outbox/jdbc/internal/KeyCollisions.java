package dev.outbox.jdbc.internal;

import dev.outbox.internal.ClaimedRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of "one job of an ordering key at a time". A claim takes a keyed job only when no
 * row of its key holds a live lease (see {@link SqlDialect#claimable}), but two claims running at
 * once may each miss the other's lease, not yet committed when their snapshot was taken. So after a
 * claim commits, and before any of its jobs runs, one fresh statement looks for another live lease
 * on each claimed key, and the claim gives back (attempt not counted) the jobs whose key has one.
 *
 * <p>Why that suffices: of two claims that took jobs of one key, the one that committed second
 * checks after both committed, so it sees the other's lease, unless that job has already finished
 * (its lease is only ever cleared when its handler is done) or its lease ran out (its drainer is
 * presumed dead). Both may give their jobs back; neither runs beside the other. Internal.
 */
final class KeyCollisions {
  private static final Logger log = LoggerFactory.getLogger(KeyCollisions.class);

  private KeyCollisions() {}

  /** The claimed rows minus those whose key another lease holds, which are released. */
  static List<ClaimedRow> released(
      SqlDialect sql, Transactions transactions, List<ClaimedRow> claimed) {
    List<String> keys =
        claimed.stream().map(ClaimedRow::orderingKey).filter(Objects::nonNull).distinct().toList();
    if (keys.isEmpty()) {
      return claimed;
    }
    long token = claimed.get(0).leaseToken();
    Set<String> taken =
        Transactions.retryingConflicts(
            () ->
                transactions.autoCommit(
                    "checking the ordering keys of claimed jobs in " + sql.jobTable(),
                    connection -> sql.keysLeasedByOthers(connection, token, keys)));
    if (taken.isEmpty()) {
      return claimed;
    }
    List<ClaimedRow> kept = new ArrayList<>();
    List<Long> giveBack = new ArrayList<>();
    for (ClaimedRow row : claimed) {
      if (taken.contains(row.orderingKey())) {
        giveBack.add(row.id());
      } else {
        kept.add(row);
      }
    }
    Transactions.retryingConflicts(
        () ->
            transactions.autoCommit(
                "releasing jobs whose ordering key another drainer holds, in " + sql.jobTable(),
                connection -> sql.release(connection, token, giveBack)));
    log.debug("released {} claimed job(s) whose ordering key another claim holds", giveBack.size());
    return kept;
  }
}
