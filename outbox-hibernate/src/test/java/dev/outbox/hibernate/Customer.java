package dev.outbox.hibernate;

import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Opted in to change events under the name "customers"; assigned ids, so inserts batch. */
@Entity
@Table(name = "customer")
@ChangeEvents(name = "customers")
public class Customer {
  /** A plain enum property. */
  public enum Tier {
    FREE,
    GOLD
  }

  @Id Long id;
  String email;
  String name;
  int visits;
  LocalDate since;

  @Enumerated(EnumType.STRING)
  Tier tier = Tier.FREE;

  @ManyToOne(fetch = FetchType.LAZY)
  Team team;

  @Embedded Address address;

  @ElementCollection List<String> tags = new ArrayList<>();

  protected Customer() {}

  public Customer(long id, String email, String name) {
    this.id = id;
    this.email = email;
    this.name = name;
    this.since = LocalDate.of(2024, 2, 29);
  }
}
