package io.polyhe.server.session;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What an S3 failure means for a client of polyhe: the store out of room ({@link
 * KeyStoreFullException}, RESOURCE_EXHAUSTED), the store out of reach ({@link
 * KeyStoreUnavailableException}, UNAVAILABLE: retry later), or a fault of this server's setup (an
 * {@link IOException}: INTERNAL, logged with a reference). The SDK has already retried what it
 * retries. The cause is logged here, since the client sees only the message. Stateless.
 */
final class S3Failures {
  private static final Logger LOG = Logger.getLogger(S3Failures.class.getName());
  /** Error codes of S3-compatible servers that ran out of room or hit a quota. */
  private static final Set<String> FULL = Set.of("XMinioStorageFull", "QuotaExceeded", "XMinioAdminBucketQuotaExceeded",
      "InsufficientStorage", "StorageFull");

  private S3Failures() {}

  /** The exception to throw for {@code e}, met while {@code doing} (lower case, no secrets). */
  static IOException translate(SdkException e, String doing) {
    return switch (kind(e)) {
      case FULL -> {
        LOG.warning("key store full while " + doing + ": " + e.getMessage());
        throw new KeyStoreFullException("the key store (S3) is full; the upload was discarded, retry later");
      }
      case UNAVAILABLE -> {
        LOG.warning("key store unreachable while " + doing + ": " + e.getMessage());
        throw new KeyStoreUnavailableException("the key store (S3) cannot be reached now; retry later");
      }
      case FAULT -> new IOException("S3 key store failed while " + doing + ": " + e.getMessage(), e);
    };
  }

  /** How a failure counts. */
  enum Kind { FULL, UNAVAILABLE, FAULT }

  static Kind kind(SdkException e) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      if (s.statusCode() == 507 || code != null && FULL.contains(code)) {
        return Kind.FULL;
      }
      if (s.statusCode() >= 500 || s.statusCode() == 429 || s.isThrottlingException()) {
        return Kind.UNAVAILABLE;
      }
      return Kind.FAULT;
    }
    // No answer at all: connection refused or reset, a timeout, an unknown host.
    return e instanceof SdkClientException ? Kind.UNAVAILABLE : Kind.FAULT;
  }

  /**
   * A key file's bytes whose failures mid-stream (a connection reset) arrive as {@link
   * KeyStoreUnavailableException}, never as an {@link IOException} that would count the keys as
   * damaged.
   */
  static final class TranslatingInputStream extends FilterInputStream {
    TranslatingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (SdkException e) {
        throw translate(e, "reading a key file");
      } catch (IOException e) {
        // The connection broke mid-file: the store is out of reach, the keys are not damaged.
        LOG.warning("key store connection failed while reading a key file: " + e);
        throw new KeyStoreUnavailableException("the key store (S3) cannot be reached now; retry later");
      }
    }
  }
}
