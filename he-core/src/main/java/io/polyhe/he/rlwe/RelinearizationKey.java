package io.polyhe.he.rlwe;

/** The switching key from {@code s²} to {@code s}: turns 3-part ciphertexts back into 2 parts. */
public final class RelinearizationKey implements HeObject {
  private final SwitchingKey key;

  public RelinearizationKey(SwitchingKey key) {
    this.key = key;
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
    return "RelinearizationKey(" + key + ")";
  }
}
