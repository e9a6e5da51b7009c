package io.stoker.app.keda;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/** Plaintext gRPC channels to a scaler server on the loopback address, as the tests open them. */
final class LoopbackChannels {
  private LoopbackChannels() {}

  /** A plaintext channel to {@code port} on the loopback address. */
  static ManagedChannel plaintext(int port) {
    return NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), port)
        .usePlaintext()
        .build();
  }

  /** Shuts {@code channel} down, then closes {@code server}; either may be null (not started). */
  static void close(ManagedChannel channel, ScalerServer server) throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }
}
