package io.stoker.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** The loopback interface the e2e processes listen on: nothing here is reachable from outside. */
final class Loopback {
  private Loopback() {}

  /** Where the kernel takes ports for outgoing connections, when it does not say. */
  private static final int EPHEMERAL_LOW = 32768;

  /** The lowest port handed out: above the well-known and most registered service ports. */
  private static final int LOWEST = 10000;

  /** Ports handed out by this JVM, never handed out twice. */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  /**
   * A port free on the loopback address at the time of the call, for a process a test starts.
   *
   * <p>The port is chosen below the kernel's ephemeral range ({@code
   * /proc/sys/net/ipv4/ip_local_port_range}), never one this JVM handed out before. A port the
   * kernel picks itself ({@code bind(0)}) comes from the ephemeral range, so between this call and
   * the process binding it, any outgoing connection on the machine could take it as its local port,
   * and the next call could return it again: a kube-apiserver then fails with "address already in
   * use".
   */
  static int freePort() throws IOException {
    int high = ephemeralLow() - 1;
    if (high - LOWEST < 1000) {
      return kernelChosen();
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(LOWEST, high + 1);
      if (GIVEN.add(port) && bindable(port)) {
        return port;
      }
    }
    throw new IOException("no free loopback port between " + LOWEST + " and " + high);
  }

  private static boolean bindable(int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (BindException e) {
      return false;
    }
  }

  private static int kernelChosen() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int ephemeralLow() {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    // Files.readString reads a file of /proc by its size, which /proc gives as 0: read the line.
    try (BufferedReader in = Files.newBufferedReader(range)) {
      return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return EPHEMERAL_LOW;
    }
  }
}
