package dev.outbox.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends PostgreSQL sessions from the database side, as a failover, an operator or a network cut
 * would, choosing them by application name only: the sessions are listed first and terminated one
 * by one, so that no other session of the server (other tests, other people) is ever touched.
 */
final class Sessions {
  private Sessions() {}

  /**
   * Terminates the sessions whose application name matches the LIKE {@code pattern} (not the one
   * asking) and waits until each is gone; returns how many were ended.
   */
  static int terminate(Connection connection, String pattern) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    try (PreparedStatement list =
        connection.prepareStatement(
            "SELECT pid FROM pg_stat_activity"
                + " WHERE application_name LIKE ? AND pid <> pg_backend_pid()")) {
      list.setString(1, pattern);
      try (ResultSet rows = list.executeQuery()) {
        while (rows.next()) {
          pids.add(rows.getInt(1));
        }
      }
    }
    int ended = 0;
    try (PreparedStatement terminate =
        connection.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
      for (int pid : pids) {
        terminate.setInt(1, pid);
        try (ResultSet row = terminate.executeQuery()) {
          ended += row.next() && row.getBoolean(1) ? 1 : 0;
        }
      }
    }
    return ended;
  }
}
