package dev.outbox.samples.hibernate;

import dev.outbox.hibernate.ChangeEvents;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A user of the sample app. {@link ChangeEvents} makes every insert, update and delete of a user
 * enqueue {@code db/users.created}, {@code db/users.updated} or {@code db/users.deleted} in the
 * same transaction: nobody enqueues anything by hand.
 */
@Entity
@Table(name = "users")
@ChangeEvents
public class User {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, unique = true)
  private String email;

  private String name;

  protected User() {}

  public User(String email, String name) {
    this.email = email;
    this.name = name;
  }

  public Long getId() {
    return id;
  }

  public void setEmail(String email) {
    this.email = email;
  }
}
