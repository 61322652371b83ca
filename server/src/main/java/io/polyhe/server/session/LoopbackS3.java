package io.polyhe.server.session;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server in this process, for the S3 key store's tests and {@code soak --replicas}:
 * S3Proxy on a free loopback port, jclouds' filesystem back end under {@code dir}, SigV4 with a
 * random key pair that clients read from a credentials file (mode 600, as a deployment would, never
 * a flag), and one bucket. {@link #close} stops it. Needs S3Proxy on the class path (an optional
 * dependency of this module).
 */
public final class LoopbackS3 implements AutoCloseable {
  /** The one bucket. */
  public static final String BUCKET = "polyhe-keys";
  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final Path credentials;

  /**
   * Starts the server, its blobs under {@code dir/s3} and its credentials file in {@code dir}.
   *
   * @throws IllegalStateException if S3Proxy does not start within a minute
   */
  public LoopbackS3(Path dir) throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] b = new byte[24];
    random.nextBytes(b);
    String identity = "loopback";
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Path blobs = Files.createDirectories(dir.resolve("s3"));
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", blobs.toString());
    context = ContextBuilder.newBuilder("filesystem").overrides(p).credentials(identity, secret)
        .build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, identity, secret).build();
    proxy.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    credentials = dir.resolve("aws-credentials");
    Files.writeString(credentials, "[default]\naws_access_key_id = " + identity + "\naws_secret_access_key = "
        + secret + "\n");
    Files.setPosixFilePermissions(credentials, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  /** The credentials file (AWS shared-credentials format, profile {@code default}). */
  public Path credentials() {
    return credentials;
  }

  /** Where clients send requests. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** The location replicas use, {@code s3://BUCKET/PREFIX}. */
  public String location(String prefix) {
    return "s3://" + BUCKET + "/" + prefix;
  }

  /** Settings of a store on {@code prefix} in the bucket. */
  public S3Settings settings(String prefix) {
    return new S3Settings(BUCKET, prefix, Optional.of(endpoint()), Optional.empty(), Optional.of(credentials),
        Duration.ofHours(1));
  }

  /** A store on {@code prefix} with its own client, to inspect what the replicas left. */
  public S3KeyStore store(String prefix) {
    return S3KeyStore.open(settings(prefix));
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
