package dev.outbox.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Not opted in to change events. */
@Entity
@Table(name = "team")
public class Team {
  @Id Long id;
  String name;

  protected Team() {}

  public Team(long id, String name) {
    this.id = id;
    this.name = name;
  }
}
