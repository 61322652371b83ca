package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.ListModelsRequest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import io.polyhe.server.auth.AuthInterceptor;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 bad calls from outside add a bounded number of bytes to the log (issue 23, item 2), as a
 * log file with the default configuration (INFO and above) would get them: calls without or with an
 * unknown API key (their warnings are rate-limited), garbage Health/Check calls without a key,
 * oversized metadata and messages, non-TLS bytes on the TLS port, and HTTP/2 protocol errors. Before,
 * each rejected key was a WARNING line, each garbage message a SEVERE stack trace, and the transport
 * logged a stack trace per connection with non-TLS bytes.
 */
class LogFloodingTest {
  /** What 1,000 bad calls may add: the rate-limited rejections and a few lines of slack. */
  static final int MAX_BYTES = 16 * 1024;

  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dir, b -> b.maxMessageBytes(ServerConfig.MIN_MESSAGE_BYTES));
    channel = server.channel();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  /** The log text at INFO and above, as the default configuration writes it. */
  static final class LogFile extends Handler implements AutoCloseable {
    final StringBuilder text = new StringBuilder();

    LogFile() {
      setLevel(Level.INFO);
      setFormatter(new SimpleFormatter());
      Logger.getLogger("").addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord r) {
      if (isLoggable(r)) {
        text.append(getFormatter().format(r));
      }
    }

    synchronized String text() {
      return text.toString();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      Logger.getLogger("").removeHandler(this);
    }
  }

  static Status listModels(String authorization, int metadataBytes) {
    var stub = ModelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    io.grpc.Metadata m = new io.grpc.Metadata();
    if (authorization != null) {
      m.put(AuthInterceptor.AUTHORIZATION, authorization);
    }
    if (metadataBytes > 0) {
      m.put(io.grpc.Metadata.Key.of("x-padding", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "p".repeat(metadataBytes));
    }
    try {
      stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m)).listModels(ListModelsRequest.getDefaultInstance());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void aThousandBadCallsAddABoundedNumberOfBytesToTheLog() throws Exception {
    int calls = 0;
    try (LogFile log = new LogFile()) {
      for (int i = 0; i < 350; i++, calls++) {
        assertEquals(Status.Code.UNAUTHENTICATED, listModels(null, 0).getCode());
      }
      for (int i = 0; i < 350; i++, calls++) {
        assertEquals(Status.Code.UNAUTHENTICATED, listModels("Bearer not-a-key-" + i, 0).getCode());
      }
      for (int i = 0; i < 250; i++, calls++) {
        Status s = RawCall.call(channel, HealthGrpc.getCheckMethod(), MalformedMessagesTest.TRUNCATED, null, false);
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
      }
      for (int i = 0; i < 20; i++, calls++) {
        // Metadata over the transport's 8 KiB limit.
        assertNotEquals(Status.Code.OK, listModels("Bearer " + TestServer.ALICE_KEY, 16 * 1024).getCode());
      }
      for (int i = 0; i < 10; i++, calls++) {
        // A message over the server's limit.
        Status s = RawCall.call(channel, KeyServiceGrpc.getDeleteSessionMethod(),
            new byte[ServerConfig.MIN_MESSAGE_BYTES + 1], TestServer.ALICE_KEY, false);
        assertNotEquals(Status.Code.OK, s.getCode());
      }
      for (int i = 0; i < 10; i++, calls++) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", server.server.port()), 15_000);
          s.setSoTimeout(15_000);
          OutputStream out = s.getOutputStream();
          out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          s.getInputStream().readAllBytes();
        } catch (java.io.IOException reset) {
          // The server may reset the connection: either way it is closed.
        }
      }
      for (int i = 0; i < 10; i++, calls++) {
        try (RawHttp2 h2 = RawHttp2.tls(server.server.port(), server.cert)) {
          // DATA on stream 0 is a connection error (PROTOCOL_ERROR).
          h2.frame(RawHttp2.DATA, 0, 0, new byte[] {1, 2, 3});
          h2.awaitGoAway(15_000);
        }
      }
      assertEquals(1000, calls);
      String text = log.text();
      assertTrue(!text.contains("\tat "), "no stack trace:\n" + text);
      assertTrue(text.length() <= MAX_BYTES, text.length() + " bytes of log for " + calls + " bad calls:\n" + text);
    }
    assertTrue(TestServer.client(channel, TestServer.ALICE_KEY).listSessions().isEmpty(), "the server serves on");
  }
}
