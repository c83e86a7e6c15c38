package dev.outbox.bench;

/**
 * How a drain cell is run.
 *
 * @param threads claiming threads (raw loops, drainers, db-scheduler workers, transaction-outbox
 *     executor threads)
 * @param batchSize jobs claimed per statement, where the contestant has such a setting (else 0)
 * @param concurrency handler threads per drainer (this library only)
 * @param orderingKeys distinct ordering keys of the prefilled jobs; 0 for none
 */
record DrainSetup(int threads, int batchSize, int concurrency, int orderingKeys) {

  static DrainSetup of(int threads, int batchSize) {
    return new DrainSetup(threads, batchSize, 1, 0);
  }

  DrainSetup ordered(int keys) {
    return new DrainSetup(threads, batchSize, concurrency, keys);
  }

  DrainSetup concurrency(int handlers) {
    return new DrainSetup(threads, batchSize, handlers, orderingKeys);
  }

  /** Short text for the table. */
  String describe() {
    String text = threads + " thr" + (batchSize > 0 ? ", batch " + batchSize : "");
    if (concurrency != 1) {
      text += ", conc " + concurrency;
    }
    if (orderingKeys > 0) {
      text += ", " + orderingKeys + " keys";
    }
    return text;
  }
}
