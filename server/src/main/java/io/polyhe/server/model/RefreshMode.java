package io.polyhe.server.model;

/**
 * How a server's forward passes refresh ciphertexts that ran out of levels. One mode per server:
 * it decides the CKKS parameters every model is compiled for, hence the keys clients upload.
 */
public enum RefreshMode {
  /** Client-aided: the server sends a {@code RefreshRequest}; the client decrypts and re-encrypts. */
  CLIENT("client", false),
  /**
   * Non-interactive bootstrapping with 128-bit parameters (N = 2^16, sparse secret h = 320,
   * {@code LevelPlanner.chooseForBootstrapping}); no refresh request is ever sent.
   */
  BOOTSTRAP("bootstrap", false),
  /**
   * Non-interactive bootstrapping with INSECURE N = 2^14 parameters ({@code
   * LevelPlanner.insecureBootstrappingForTestsOnly}): data sent to such a server is not protected.
   * For tests and demonstrations only.
   */
  INSECURE_TEST_BOOTSTRAP("bootstrap", true);

  private final String manifestName;
  private final boolean insecure;

  RefreshMode(String manifestName, boolean insecure) {
    this.manifestName = manifestName;
    this.insecure = insecure;
  }

  /**
   * The mode named by {@code polyhe serve --refresh NAME} and {@code --insecure-test-bootstrap}.
   *
   * @throws IllegalArgumentException for an unknown name, or the insecure opt-in without bootstrapping
   */
  public static RefreshMode of(String name, boolean insecureTestBootstrap) {
    RefreshMode mode = switch (name) {
      case "client" -> CLIENT;
      case "bootstrap" -> insecureTestBootstrap ? INSECURE_TEST_BOOTSTRAP : BOOTSTRAP;
      default -> throw new IllegalArgumentException("unknown refresh mode '" + name + "': client or bootstrap");
    };
    if (insecureTestBootstrap && mode == CLIENT) {
      throw new IllegalArgumentException("--insecure-test-bootstrap needs --refresh bootstrap");
    }
    return mode;
  }

  /** The mode's name, {@code client} or {@code bootstrap}: the value of {@code --refresh}, as logs print it. */
  public String manifestName() {
    return manifestName;
  }

  /** The manifest's {@code refresh} value. */
  public io.polyhe.proto.v1.RefreshMode manifestValue() {
    return bootstraps() ? io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_BOOTSTRAP
        : io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_CLIENT;
  }

  /** True if passes bootstrap on the server instead of asking the client. */
  public boolean bootstraps() {
    return this != CLIENT;
  }

  /** True for the INSECURE test parameters. */
  public boolean insecure() {
    return insecure;
  }
}
