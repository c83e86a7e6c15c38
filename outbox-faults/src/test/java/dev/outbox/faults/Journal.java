package dev.outbox.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one drainer process did, one line per event, written straight to the file (no buffer in the
 * process), so that it survives {@link Runtime#halt}: {@code H id n} a handler ran job {@code id}
 * (number {@code n}); {@code U id} its completion failed (the connection was lost); {@code F id}
 * its completion was fenced (lease lost); {@code K point} the process crashed there; {@code S
 * count} the database ended that many of its sessions just before a completion.
 */
final class Journal implements AutoCloseable {
  private final FileChannel file;

  Journal(Path path) throws IOException {
    this.file =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  void handled(long id, long n) {
    write("H " + id + " " + n);
  }

  void unconfirmed(List<Long> ids) {
    ids.forEach(id -> write("U " + id));
  }

  void fenced(List<Long> ids) {
    ids.forEach(id -> write("F " + id));
  }

  void sessionsLost(int count) {
    write("S " + count);
  }

  void crashing(CrashPoint point) {
    write("K " + point);
  }

  private synchronized void write(String line) {
    try {
      ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        file.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  /** A journal read back by the test. */
  record Entries(
      List<long[]> handled,
      Set<Long> unconfirmed,
      Set<Long> fenced,
      String crashedAt,
      int sessionsLost) {

    static Entries read(Path path) throws IOException {
      List<long[]> handled = new ArrayList<>();
      Set<Long> unconfirmed = new HashSet<>();
      Set<Long> fenced = new HashSet<>();
      String crashedAt = null;
      int sessionsLost = 0;
      if (!Files.exists(path)) {
        return new Entries(handled, unconfirmed, fenced, null, 0);
      }
      for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
        String[] parts = line.split(" ");
        switch (parts[0]) {
          case "H" -> handled.add(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
          case "U" -> unconfirmed.add(Long.parseLong(parts[1]));
          case "F" -> fenced.add(Long.parseLong(parts[1]));
          case "K" -> crashedAt = parts[1];
          case "S" -> sessionsLost += Integer.parseInt(parts[1]);
          default -> throw new IllegalStateException("unexpected journal line: " + line);
        }
      }
      return new Entries(handled, unconfirmed, fenced, crashedAt, sessionsLost);
    }
  }
}
