package io.polyhe.he.rlwe;

/**
 * A capability token that must be passed to every method that exposes secret-key material
 * (serialisation, raw coefficients). Obtaining it is an explicit, greppable act: {@code
 * SecretKeyAccess.explicitlyGranted()}. Code that must never see secrets (the server) never calls
 * it; an architecture test enforces that.
 */
public final class SecretKeyAccess {
  private static final SecretKeyAccess INSTANCE = new SecretKeyAccess();

  private SecretKeyAccess() {}

  /** The token; calling this states that the caller is entitled to the secret key's bytes. */
  public static SecretKeyAccess explicitlyGranted() {
    return INSTANCE;
  }

  /** Throws {@link SecurityException} unless {@code access} is the genuine token. */
  public static void require(SecretKeyAccess access) {
    if (access != INSTANCE) {
      throw new SecurityException("secret key access requires SecretKeyAccess.explicitlyGranted()");
    }
  }
}
