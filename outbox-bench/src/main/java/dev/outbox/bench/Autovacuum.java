package dev.outbox.bench;

/**
 * Turns PostgreSQL's autovacuum on for a while with {@code ALTER SYSTEM} and a reload, and puts it
 * back as it was when closed, also when the JVM is stopped mid-run (a shutdown hook). If autovacuum
 * was not set with {@code ALTER SYSTEM} before, the setting is reset rather than written, so {@code
 * postgresql.auto.conf} ends up as it was found.
 */
final class Autovacuum implements AutoCloseable {
  private final Database postgres;
  private final String before;
  private final boolean wasAlteredBySystem;
  private final Thread hook;
  private boolean restored;

  private Autovacuum(Database postgres, boolean on) {
    this.postgres = postgres;
    this.before = postgres.queryString("SHOW autovacuum");
    this.wasAlteredBySystem =
        postgres.queryLong(
                "SELECT COUNT(*) FROM pg_file_settings WHERE name = 'autovacuum'"
                    + " AND sourcefile LIKE '%postgresql.auto.conf'")
            > 0;
    this.hook = new Thread(this::restore, "restore-autovacuum");
    Runtime.getRuntime().addShutdownHook(hook);
    apply("ALTER SYSTEM SET autovacuum = " + (on ? "on" : "off"));
  }

  /** Sets autovacuum to {@code on} until closed. */
  static Autovacuum set(Database postgres, boolean on) {
    return new Autovacuum(postgres, on);
  }

  /** The value found before. */
  String before() {
    return before;
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
  }

  private synchronized void restore() {
    if (restored) {
      return;
    }
    String alter =
        wasAlteredBySystem
            ? "ALTER SYSTEM SET autovacuum = " + before
            : "ALTER SYSTEM RESET autovacuum";
    // Other work on this machine may restart the server: keep trying for a minute.
    for (int attempt = 1; !restored; attempt++) {
      try {
        apply(alter);
        restored = true;
        System.err.println("autovacuum restored (" + (wasAlteredBySystem ? before : "reset") + ")");
      } catch (IllegalStateException e) {
        if (attempt == 30) {
          System.err.println(
              "COULD NOT RESTORE autovacuum; run: " + alter + "; SELECT pg_reload_conf();");
          throw e;
        }
        sleep(2_000);
      }
    }
  }

  private void apply(String alter) {
    postgres.executeDirect(alter, "SELECT pg_reload_conf()");
    // The reload is asynchronous: give the server and the pooled sessions a moment to see it.
    sleep(500);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
