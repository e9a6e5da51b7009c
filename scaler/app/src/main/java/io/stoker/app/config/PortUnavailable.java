package io.stoker.app.config;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A port of {@code stoker run} could not be opened (in use, or not allowed): the message names the
 * address, the setting that chose it and why, so that it is not taken for an unreachable API
 * server.
 */
public final class PortUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PortUnavailable(
      String what, InetSocketAddress address, ConfigParameter<?> setting, IOException cause) {
    super(
        "cannot listen on the "
            + what
            + " port "
            + address.getHostString()
            + ":"
            + address.getPort()
            + " ("
            + setting.flag()
            + " / "
            + setting.env()
            + "): "
            + cause.getMessage()
            + "; free the port or choose another",
        cause);
  }
}
