package dev.outbox.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a database that can make its open connections half-open: {@link
 * #cutOpenConnections()} stops forwarding on every connection open now, in both directions, without
 * closing any socket, as a dropped route or a frozen peer would; the client's writes still succeed
 * and its reads wait. Connections made afterwards work.
 */
final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding on every connection open now; returns how many. */
  int cutOpenConnections() {
    pairs.forEach(pair -> pair.cut = true);
    return pairs.size();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket target = new Socket(targetHost, targetPort);
        Pair pair = new Pair(client, target);
        pairs.add(pair);
        pump(pair, client.getInputStream(), target.getOutputStream());
        pump(pair, target.getInputStream(), client.getOutputStream());
      } catch (IOException e) {
        if (!closed) {
          System.err.println("proxy: " + e);
        }
      }
    }
  }

  private void pump(Pair pair, InputStream from, OutputStream to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                for (int read; (read = from.read(buffer)) >= 0; ) {
                  if (!pair.cut) { // once cut, what arrives is swallowed and nothing is closed
                    to.write(buffer, 0, read);
                    to.flush();
                  }
                }
              } catch (IOException e) {
                // the other side closed
              }
              if (!pair.cut) {
                pair.close();
              }
            },
            "proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    pairs.forEach(Pair::close);
  }

  private static final class Pair {
    final Socket client;
    final Socket target;
    volatile boolean cut;

    Pair(Socket client, Socket target) {
      this.client = client;
      this.target = target;
    }

    void close() {
      try {
        client.close();
        target.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
