package io.polyhe.server.session;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for tests: S3Proxy on a free loopback port with jclouds' filesystem back end in
 * a temporary directory, SigV4 authentication with a random key pair that reaches the client only
 * through a credentials file (as a deployment would), and one bucket. {@link #close} stops it.
 */
final class LoopbackS3 implements AutoCloseable {
  static final String BUCKET = "polyhe-keys";
  final S3Proxy proxy;
  final Path credentials;
  private final BlobStoreContext context;

  LoopbackS3(Path dir) throws Exception {
    String identity = "test-" + Long.toHexString(System.nanoTime());
    String secret = java.util.UUID.randomUUID().toString();
    Properties p = new Properties();
    Files.createDirectories(dir.resolve("blobs"));
    p.setProperty("jclouds.filesystem.basedir", dir.resolve("blobs").toString());
    context = ContextBuilder.newBuilder("filesystem").overrides(p).credentials(identity, secret)
        .build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, identity, secret).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    credentials = dir.resolve("aws-credentials");
    Files.writeString(credentials, "[default]\naws_access_key_id = " + identity + "\naws_secret_access_key = "
        + secret + "\n");
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  S3Settings settings(String prefix) {
    return new S3Settings(BUCKET, prefix, Optional.of(endpoint()), Optional.empty(), Optional.of(credentials),
        Duration.ofHours(1));
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
