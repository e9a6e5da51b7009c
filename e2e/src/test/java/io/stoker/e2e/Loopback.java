package io.stoker.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The loopback interface the e2e processes listen on: nothing here is reachable from outside. */
final class Loopback {
  private Loopback() {}

  /** A port free on the loopback address at the time of the call. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
