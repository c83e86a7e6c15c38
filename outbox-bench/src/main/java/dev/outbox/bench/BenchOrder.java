package dev.outbox.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * The domain row of the Hibernate enqueue workload. Ids come from a sequence with an allocation
 * size, so that Hibernate can batch the inserts (an identity column would turn batching off).
 */
@Entity
@Table(name = "bench_hib_order")
public class BenchOrder {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bench_hib_order_seq")
  @SequenceGenerator(name = "bench_hib_order_seq", allocationSize = 100)
  Long id;

  String customer;

  long cents;

  protected BenchOrder() {}

  BenchOrder(String customer, long cents) {
    this.customer = customer;
    this.cents = cents;
  }
}
