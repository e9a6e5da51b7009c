package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Malformed requests on the gRPC port: refused, and never a multi-line trace on stderr. */
class MalformedRequestLogTest {
  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          return new byte[0];
        }
      };

  @Test
  void malformedRequestsLogAtMostOneLineEach() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (ScalerServer server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(50),
                Duration.ofHours(1)),
            new TestingDesiredState())) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      MethodDescriptor<byte[], byte[]> isActive =
          ExternalScalerGrpc.getIsActiveMethod().toBuilder(RAW, RAW).build();
      for (byte[] body :
          new byte[][] {
            {(byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[] {0x0a, 0x7f, 0x01}, new byte[70_000]
          }) {
        try {
          ClientCalls.blockingUnaryCall(channel, isActive, CallOptions.DEFAULT, body);
        } catch (StatusRuntimeException e) {
          // refused, as it should be
        }
      }
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n garbage".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.setSoTimeout(5000);
        s.getInputStream().read(new byte[1024]);
      } catch (java.io.IOException e) {
        // the server hung up
      }
    } finally {
      System.setErr(stderr);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    System.out.println("---- stderr of the malformed requests ----\n" + err + "\n----");
    assertThat(err).doesNotContain("\tat ").doesNotContain("SEVERE");
    assertThat(err.lines().filter(l -> l.contains("Invalid protobuf byte sequence")))
        .as("one line per malformed request")
        .hasSize(2);
    assertThat(err.lines().filter(l -> l.contains("exceeds maximum size 65536")))
        .as("one line for the oversized request")
        .hasSize(1);
  }
}
