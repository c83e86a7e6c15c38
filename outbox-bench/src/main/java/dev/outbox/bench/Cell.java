package dev.outbox.bench;

/**
 * One contestant in one setup of a workload: prepares its tables (untimed), measures once and
 * checks the result. A round runs every cell of a workload once, one after the other.
 */
interface Cell {
  /** The workload, such as {@code drain}. */
  String workload();

  /** Who is measured, such as {@code raw} or {@code outbox}. */
  String contestant();

  /** The setup, such as {@code 4 thr, batch 100}. */
  String setup();

  /** Prepares and measures once. */
  RoundResult run() throws Exception;

  /** A cell from its parts. */
  static Cell of(String workload, String contestant, String setup, Measurement measurement) {
    return new Cell() {
      @Override
      public String workload() {
        return workload;
      }

      @Override
      public String contestant() {
        return contestant;
      }

      @Override
      public String setup() {
        return setup;
      }

      @Override
      public RoundResult run() throws Exception {
        return measurement.run();
      }

      @Override
      public String toString() {
        return workload + " / " + contestant + " / " + setup;
      }
    };
  }

  /** The measuring part of a cell. */
  @FunctionalInterface
  interface Measurement {
    RoundResult run() throws Exception;
  }
}
