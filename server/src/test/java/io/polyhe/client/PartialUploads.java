package io.polyhe.client;

/**
 * Server tests' access to the SDK's package-private partial key upload: sessions with fewer keys
 * than the manifest asks for (which cannot infer) exist only to test the server, so the SDK does
 * not offer them publicly. Lives in the SDK's package on the server's test class path.
 */
public final class PartialUploads {
  private PartialUploads() {}

  /** Uploads the relinearisation key and the Galois keys of {@code elements} only. */
  public static SessionInfo upload(PolyheClient client, Keyring keyring, int[] elements, ProgressListener progress) {
    return client.uploadKeys(keyring, elements, progress);
  }
}
