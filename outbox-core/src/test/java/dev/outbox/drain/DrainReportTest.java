package dev.outbox.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DrainReportTest {

  @Test
  void totalsPastTwoToTheThirtyOneDoNotWrap() {
    long max = Integer.MAX_VALUE;
    DrainReport big =
        new DrainReport(max, max, max, max, max, max, max, max, Map.of("eventsSent", max));

    DrainReport sum = big.plus(big);

    long twice = 2 * max;
    assertEquals(
        new DrainReport(
            twice, twice, twice, twice, twice, twice, twice, twice, Map.of("eventsSent", twice)),
        sum);
  }
}
