package io.stoker.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away PEM files made with openssl at test time (nothing is committed): a CA, a server
 * certificate for 127.0.0.1/localhost and a client certificate, both signed by the CA (EC P-256,
 * one day).
 */
final class TestCertificates {
  final Path ca;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;

  private TestCertificates(Path dir) {
    ca = dir.resolve("ca.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.pem");
    clientKey = dir.resolve("client.key");
  }

  static TestCertificates generate(Path dir) throws IOException, InterruptedException {
    TestCertificates c = new TestCertificates(dir);
    key(dir, "ca.key");
    openssl(
        dir,
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=stoker e2e ca",
        "-days",
        "1",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    leaf(dir, "server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    leaf(dir, "client", "extendedKeyUsage=clientAuth\n");
    return c;
  }

  private static void key(Path dir, String file) throws IOException, InterruptedException {
    openssl(
        dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file);
  }

  private static void leaf(Path dir, String name, String extensions)
      throws IOException, InterruptedException {
    key(dir, name + ".key");
    openssl(
        dir,
        "req",
        "-new",
        "-key",
        name + ".key",
        "-subj",
        "/CN=stoker e2e " + name,
        "-out",
        name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), extensions, StandardCharsets.UTF_8);
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".pem");
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + out);
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
