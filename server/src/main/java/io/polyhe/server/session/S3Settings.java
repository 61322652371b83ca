package io.polyhe.server.session;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where an {@link S3KeyStore} keeps its objects and how it reaches them. No secret is part of it:
 * credentials come from the AWS SDK's default provider chain (environment, {@code
 * ~/.aws/credentials} or {@code AWS_SHARED_CREDENTIALS_FILE}, web identity, container or instance
 * roles) or from {@code credentialsFile}, never from a flag that {@code ps} would show. Immutable.
 *
 * @param bucket the bucket (it must exist)
 * @param prefix key prefix of every object, empty or ending in {@code /}
 * @param endpoint an S3-compatible server (MinIO, Ceph RGW, S3Proxy) instead of AWS; path-style
 *     addressing is used with it
 * @param region the signing region; absent: the SDK's region chain, or {@code us-east-1} with an
 *     endpoint
 * @param credentialsFile an AWS credentials file (profile {@code default}, or {@code AWS_PROFILE})
 * @param orphanAge how old an unfinished upload (or a key file without description) must be before
 *     a replica removes it as abandoned: younger ones may be another replica's upload in progress
 */
public record S3Settings(String bucket, String prefix, Optional<URI> endpoint, Optional<String> region,
    Optional<Path> credentialsFile, Duration orphanAge) {

  /** Default {@link #orphanAge}: far beyond an upload's idle timeout and a slow upload of 8 GB. */
  public static final Duration DEFAULT_ORPHAN_AGE = Duration.ofHours(6);

  public S3Settings {
    if (bucket == null || bucket.isEmpty() || bucket.contains("/")) {
      throw new IllegalArgumentException("an S3 key store needs a bucket name: s3://BUCKET[/PREFIX]");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException("an S3 key prefix does not start with /");
    }
    if (orphanAge.isNegative()) {
      throw new IllegalArgumentException("the orphan age must not be negative");
    }
  }

  /**
   * The store at {@code uri}, {@code s3://BUCKET} or {@code s3://BUCKET/PREFIX}.
   *
   * @throws IllegalArgumentException if {@code uri} is not of that form
   */
  public static S3Settings parse(String uri, Optional<URI> endpoint, Optional<String> region,
      Optional<Path> credentialsFile) {
    if (!isS3(uri)) {
      throw new IllegalArgumentException("not an S3 location (s3://BUCKET[/PREFIX]): " + uri);
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    return new S3Settings(bucket, prefix, endpoint, region, credentialsFile, DEFAULT_ORPHAN_AGE);
  }

  /** Whether {@code location} names an S3 store rather than a directory. */
  public static boolean isS3(String location) {
    return location.startsWith("s3://");
  }

  /** The same store with another {@link #orphanAge}. */
  public S3Settings withOrphanAge(Duration age) {
    return new S3Settings(bucket, prefix, endpoint, region, credentialsFile, age);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix + endpoint.map(e -> " at " + e).orElse("");
  }
}
