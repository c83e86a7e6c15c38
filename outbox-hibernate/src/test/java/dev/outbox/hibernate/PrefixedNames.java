package dev.outbox.hibernate;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategy;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/** Prefixes every table, so that tests never see each other's rows on a shared database. */
final class PrefixedNames implements PhysicalNamingStrategy {
  private final String prefix;

  PrefixedNames(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Identifier toPhysicalTableName(Identifier name, JdbcEnvironment environment) {
    return Identifier.toIdentifier(prefix + "_" + name.getText());
  }

  @Override
  public Identifier toPhysicalSequenceName(Identifier name, JdbcEnvironment environment) {
    return Identifier.toIdentifier(prefix + "_" + name.getText());
  }

  @Override
  public Identifier toPhysicalCatalogName(Identifier name, JdbcEnvironment environment) {
    return name;
  }

  @Override
  public Identifier toPhysicalSchemaName(Identifier name, JdbcEnvironment environment) {
    return name;
  }

  @Override
  public Identifier toPhysicalColumnName(Identifier name, JdbcEnvironment environment) {
    return name;
  }
}
