package io.polyhe.he.rlwe;

/**
 * The switching key from {@code σ_g(s)} to {@code s} for the automorphism {@code σ_g: X -> X^g}:
 * lets a ciphertext be rotated ({@code g = 5^k mod 2N}) or conjugated ({@code g = 2N-1}).
 */
public final class GaloisKey implements HeObject {
  private final int galoisElement;
  private final SwitchingKey key;

  public GaloisKey(int galoisElement, SwitchingKey key) {
    GaloisElements.check(galoisElement, key.parameters().n());
    this.galoisElement = galoisElement;
    this.key = key;
  }

  public int galoisElement() {
    return galoisElement;
  }

  public SwitchingKey switchingKey() {
    return key;
  }

  @Override
  public RlweParameters parameters() {
    return key.parameters();
  }

  @Override
  public String toString() {
    return "GaloisKey(g=" + galoisElement + ", " + key + ")";
  }
}
