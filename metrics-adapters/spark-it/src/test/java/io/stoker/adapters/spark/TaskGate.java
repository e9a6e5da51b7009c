package io.stoker.adapters.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A gate that Spark tasks wait at, wherever they run: in this JVM (local mode) or in executor JVMs
 * (local-cluster). A task connects to the gate's loopback port and reads; the gate never writes, so
 * the read returns only when {@link #close()} closes the connection (or the gate is already closed
 * and the connection is refused).
 */
final class TaskGate implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> waiting = new ArrayList<>();
  private boolean closed;

  TaskGate() throws IOException {
    server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "task-gate");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** How many tasks have reached the gate (and, until {@link #close()}, wait there). */
  synchronized int arrived() {
    return waiting.size();
  }

  private void accept() {
    try {
      while (true) {
        Socket s = server.accept();
        synchronized (this) {
          if (closed) {
            s.close();
            return;
          }
          waiting.add(s);
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  /** Runs in a task: returns {@code value} once the gate opens. */
  static <T> T await(int port, T value) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        InputStream in = s.getInputStream()) {
      while (in.read() >= 0) {
        // the gate never writes
      }
    } catch (IOException e) {
      // the gate closed the connection, or was closed before this task came
    }
    return value;
  }

  /** Opens the gate: every waiting task returns, and tasks that come later pass. */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : waiting) {
      s.close();
    }
  }
}
