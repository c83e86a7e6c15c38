package dev.outbox.spring;

import dev.outbox.drain.DrainerBuilder;

/**
 * A bean that adjusts the drainer before it is built, after the {@code outbox.drainer.*} properties
 * and the handler bean were applied: per-leaf transactional handlers, backoff, non-retryable
 * exceptions.
 *
 * <pre>{@code
 * @Bean
 * OutboxDrainerCustomizer<ShopJob> chargesInTheTransaction(ChargeHandler charges) {
 *   return drainer -> drainer.transactional(ChargeCard.class, charges);
 * }
 * }</pre>
 *
 * @param <J> the sealed job root
 */
@FunctionalInterface
public interface OutboxDrainerCustomizer<J> {

  /** Adjusts the drainer's settings. */
  void customize(DrainerBuilder<J> drainer);
}
