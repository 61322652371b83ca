package io.polyhe.server.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Serves the Prometheus text at {@code GET /metrics} over plain HTTP, for Prometheus. Bind it to
 * loopback or a private interface: it carries no secrets but no auth either.
 *
 * <p>Built on Jetty (non-blocking I/O) so that no client can hold up the scrapes: a request is
 * parsed by the selector as its bytes arrive and reaches a worker thread only once its headers are
 * complete, so half-sent requests and idle connections hold no thread (the JDK's {@code
 * HttpServer}, used before, read each request on its single dispatcher thread, and one half-sent
 * request blocked every scrape). A connection silent for {@code idleTimeout} is closed; request
 * headers are limited to {@value #MAX_HEADER_BYTES} bytes; request bodies are never read (anything
 * but GET is 405, and the connection is closed rather than drained). The scrape text comes from a
 * {@link Supplier}: the server passes its Micrometer registry's ({@link Metrics#scrape}). Thread-safe.
 */
public final class MetricsHttpServer implements AutoCloseable {
  /** How long a connection may stay silent by default (a scrape takes milliseconds). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Largest request line plus headers. */
  static final int MAX_HEADER_BYTES = 8192;

  // Workers only write a scrape; the acceptor and selector take one thread each.
  private static final int MAX_THREADS = 6;

  private final Server server;
  private final ServerConnector connector;

  /**
   * Starts serving {@code scrape} at {@code address}.
   *
   * @param scrape the Prometheus text, read on each request (it may block briefly; it runs on a worker)
   * @param idleTimeout how long a connection may stay silent before it is closed
   * @throws IOException if the address cannot be bound
   */
  public MetricsHttpServer(InetSocketAddress address, Supplier<String> scrape, Duration idleTimeout)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("polyhe-metrics");
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(idleTimeout.toMillis());
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (!"/metrics".equals(Request.getPathInContext(request))) {
          Response.writeError(request, response, callback, 404);
          return true;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
          response.getHeaders().put(HttpHeader.ALLOW, "GET");
          Response.writeError(request, response, callback, 405);
          return true;
        }
        byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
      }
    });
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("metrics endpoint could not start: " + e.getMessage(), e);
    }
  }

  /** The bound port (useful when 0 was asked for). */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping is best effort: the JVM or the server is going away.
    }
  }
}
