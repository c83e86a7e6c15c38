package dev.outbox.hibernate;

import jakarta.persistence.Embeddable;

/** An embeddable: its values appear as a nested map in change events. */
@Embeddable
public class Address {
  String street;
  String city;

  protected Address() {}

  public Address(String street, String city) {
    this.street = street;
    this.city = city;
  }
}
