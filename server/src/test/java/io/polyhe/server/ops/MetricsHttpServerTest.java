package io.polyhe.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint keeps answering scrapes while hostile connections are held open against it
 * over a real loopback socket (issue 23, item 1): half-sent requests, idle connections, and a POST
 * declaring a 1 GB body. On the JDK {@code HttpServer} this class replaced, the first half-sent
 * request blocked its one dispatcher thread, so the scrape below timed out. Deadlines are generous
 * liveness bounds, not timings.
 */
class MetricsHttpServerTest {
  static final int HELD = 40;
  static final Duration SCRAPE_DEADLINE = Duration.ofSeconds(15);

  static MetricsHttpServer start(Duration idle) throws IOException {
    Metrics m = new Metrics();
    m.gauge("polyhe_test_gauge", "A test gauge.", () -> 7);
    return new MetricsHttpServer(new InetSocketAddress("127.0.0.1", 0), m::scrape, idle);
  }

  static HttpResponse<String> scrape(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(SCRAPE_DEADLINE).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(SCRAPE_DEADLINE).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static Socket open(int port, String sent) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 15_000);
    s.setSoTimeout(15_000);
    OutputStream out = s.getOutputStream();
    out.write(sent.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  @Test
  void scrapesAreAnsweredWhileHalfSentRequestsIdleConnectionsAndAHugePostAreHeldOpen() throws Exception {
    // A long idle timeout: the scrape must get through because nothing blocks it, not because the
    // server dropped the slow connections first.
    try (MetricsHttpServer server = start(Duration.ofMinutes(5))) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < HELD; i++) {
          held.add(open(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));
          held.add(open(server.port(), ""));
        }
        Socket post = open(server.port(), "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n"
            + "Content-Type: text/plain\r\n\r\nabc");
        held.add(post);
        for (int i = 0; i < 3; i++) {
          HttpResponse<String> r = scrape(server.port());
          assertEquals(200, r.statusCode());
          assertTrue(r.body().contains("polyhe_test_gauge 7"), r.body());
          assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        }
        // The POST is answered without its body being read (or waited for).
        String answer = new String(post.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertEquals("HTTP/1.1 405", answer);
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void aConnectionThatStaysSilentIsClosedAfterTheIdleTimeout() throws Exception {
    try (MetricsHttpServer server = start(Duration.ofMillis(300));
        Socket slow = open(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n")) {
      // Closed by the server (end of stream, or a reset) well within the read timeout of 15 s.
      InputStream in = slow.getInputStream();
      try {
        byte[] rest = in.readAllBytes();
        assertTrue(rest.length == 0 || new String(rest, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 "),
            "no scrape answer to a half-sent request");
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the silent connection was not closed", e);
      } catch (IOException reset) {
        // Reset by the server: closed, as required.
      }
      assertEquals(200, scrape(server.port()).statusCode());
    }
  }

  @Test
  void onlyGetOfMetricsIsServed() throws Exception {
    try (MetricsHttpServer server = start(MetricsHttpServer.DEFAULT_IDLE_TIMEOUT)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/other")).timeout(SCRAPE_DEADLINE).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, other.statusCode());
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(SCRAPE_DEADLINE)
          .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, put.statusCode());
    }
  }
}
