package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request messages that are not valid protobuf, and compressed ones that inflate past the message
 * limit, on every method of the server over its real TLS port (issue 23, item 3). Before, grpc-java
 * parsed them outside the service: the client got UNKNOWN "Application error processing RPC" and
 * the log a SEVERE stack trace per call. Now: INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a clear
 * message, at most the one access-log line per call, and the call's state (an Infer stream's count)
 * is given back.
 */
class MalformedMessagesTest {
  /** Field 1, length-delimited, declaring 2^31 - 1 bytes that never come: no request type parses it. */
  static final byte[] TRUNCATED = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
  /** Field 1 with wire type 7, which does not exist. */
  static final byte[] BAD_WIRE_TYPE = {0x0F, 0x00};

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

  static void assertNoStackTraceAndAtMostOneLinePerCall(LogCapture log, int calls) {
    String text = log.text();
    assertFalse(text.contains("\tat "), "no stack trace in the log:\n" + text);
    assertFalse(text.contains("SEVERE"), "nothing SEVERE in the log:\n" + text);
    assertTrue(log.records() <= calls, log.records() + " log records for " + calls + " calls:\n" + text);
  }

  @Test
  void garbageBytesOnEveryMethodAreInvalidArgumentWithoutAStackTrace() throws Exception {
    int calls = 0;
    LogCapture log = LogCapture.install();
    try {
      for (MethodDescriptor<?, ?> m : RawCall.allMethods()) {
        for (byte[] garbage : new byte[][] {TRUNCATED, BAD_WIRE_TYPE}) {
          Status s = RawCall.call(channel, m, garbage, TestServer.ALICE_KEY, false);
          calls++;
          assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), m.getFullMethodName() + ": " + s);
          assertTrue(s.getDescription().startsWith("malformed request message")
              && s.getDescription().contains(m.getFullMethodName()), s.getDescription());
        }
      }
      assertNoStackTraceAndAtMostOneLinePerCall(log, calls);
    } finally {
      log.close();
    }
    assertTrue(calls >= 16, "every method of the four services: " + calls);
    assertEquals(0, server.server.activeInferCalls(), "the failed Infer streams gave back their count");
    assertTrue(TestServer.client(channel, TestServer.ALICE_KEY).listSessions().isEmpty(), "the server serves on");
  }

  @Test
  void aCompressedMessageInflatingPastTheLimitIsResourceExhaustedOnEveryMethod() throws Exception {
    // Zeros: a few KiB on the wire, twice the server's message limit once inflated.
    byte[] zeros = new byte[2 * ServerConfig.MIN_MESSAGE_BYTES];
    // And one that is valid protobuf all the way (a field 1 string of 'x's), so a parser reading
    // as it inflates would not stop early either.
    byte[] valid = io.polyhe.proto.v1.DeleteSessionRequest.newBuilder()
        .setSessionId("x".repeat(2 * ServerConfig.MIN_MESSAGE_BYTES)).build().toByteArray();
    int calls = 0;
    LogCapture log = LogCapture.install();
    try {
      for (MethodDescriptor<?, ?> m : RawCall.allMethods()) {
        for (byte[] bomb : new byte[][] {zeros, valid}) {
          Status s = RawCall.call(channel, m, bomb, TestServer.ALICE_KEY, true);
          calls++;
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), m.getFullMethodName() + ": " + s);
          assertTrue(s.getDescription().contains("too large") && s.getDescription().contains("--max-message-bytes"),
              s.getDescription());
        }
      }
      assertNoStackTraceAndAtMostOneLinePerCall(log, calls);
    } finally {
      log.close();
    }
    assertEquals(0, server.server.activeInferCalls(), "the failed Infer streams gave back their count");
    assertTrue(TestServer.client(channel, TestServer.ALICE_KEY).listSessions().isEmpty(), "the server serves on");
  }
}
