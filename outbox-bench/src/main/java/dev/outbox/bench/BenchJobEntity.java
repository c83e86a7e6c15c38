package dev.outbox.bench;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * A job row as a hand-rolled outbox on Hibernate would have it: an entity persisted beside the
 * domain rows, its id from a pooled sequence, so that Hibernate batches its inserts at flush. Not
 * the library's table: such ids are handed out ahead, per JVM, and do not follow the order in which
 * jobs were written across instances.
 */
@Entity
@Table(name = "bench_hib_job_entity")
public class BenchJobEntity {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bench_hib_job_entity_seq")
  @SequenceGenerator(name = "bench_hib_job_entity_seq", allocationSize = 100)
  Long id;

  @Column(nullable = false)
  String kind;

  @Column(nullable = false)
  String payload;

  @Column(name = "created_at", nullable = false)
  long createdAt;

  @Column(name = "run_at", nullable = false)
  long runAt;

  int attempts;

  protected BenchJobEntity() {}

  BenchJobEntity(String kind, String payload, long now) {
    this.kind = kind;
    this.payload = payload;
    this.createdAt = now;
    this.runAt = now;
  }
}
