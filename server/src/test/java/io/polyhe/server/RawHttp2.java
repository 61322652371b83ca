package io.polyhe.server;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A hand-written HTTP/2 connection (the client preface, then any frames), for tests of what the
 * server's transport does with frames no gRPC library would send: too-frequent pings, protocol
 * errors. Over TLS (ALPN h2) or in the clear (prior knowledge). Not thread-safe.
 */
final class RawHttp2 implements AutoCloseable {
  static final int DATA = 0x0;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int ENHANCE_YOUR_CALM = 0xb;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private RawHttp2(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(15_000);
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** In the clear, with prior knowledge. */
  static RawHttp2 plain(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 15_000);
    return new RawHttp2(s);
  }

  /** Over TLS trusting {@code cert}, negotiating h2 with ALPN. */
  static RawHttp2 tls(int port, Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (var pem = java.nio.file.Files.newInputStream(cert)) {
      trust.setCertificateEntry("server",
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 15_000);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    s.startHandshake();
    return new RawHttp2(s);
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] h = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length, (byte) type,
        (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
    out.write(h);
    out.write(payload);
    out.flush();
  }

  void ping(long data) throws IOException {
    byte[] p = new byte[8];
    for (int i = 0; i < 8; i++) {
      p[i] = (byte) (data >>> (56 - 8 * i));
    }
    frame(PING, 0, 0, p);
  }

  /**
   * Reads frames until a GOAWAY (returns its error code), the end of the connection (-1), or
   * {@code millis} without one (-2). Answers the server's SETTINGS; ignores everything else.
   */
  int awaitGoAway(int millis) throws IOException {
    return awaitGoAway(millis, false);
  }

  /**
   * As {@link #awaitGoAway(int)}, over {@code millis} in all; with {@code answerPings} the server's
   * pings are acknowledged, as a live client would.
   */
  int awaitGoAway(int millis, boolean answerPings) throws IOException {
    long end = System.nanoTime() + millis * 1_000_000L;
    try {
      while (true) {
        long left = (end - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return -2;
        }
        socket.setSoTimeout((int) left);
        int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt();
        byte[] payload = in.readNBytes(len);
        if (payload.length < len) {
          return -1;
        }
        if (type == PING && (flags & 1) == 0 && answerPings) {
          frame(PING, 1, 0, payload);
        } else if (type == SETTINGS && (flags & 1) == 0) {
          frame(SETTINGS, 1, 0, new byte[0]);
        } else if (type == GOAWAY) {
          return (payload[4] & 0xff) << 24 | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8 | payload[7] & 0xff;
        }
      }
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (EOFException | java.net.SocketException e) {
      return -1;
    } finally {
      socket.setSoTimeout(15_000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
