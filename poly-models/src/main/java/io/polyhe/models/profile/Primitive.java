package io.polyhe.models.profile;

/**
 * The HE primitive a piece of time went to. {@link #NTT} cuts across the others: it is the time
 * spent inside number-theoretic transforms wherever they ran on the pass's thread (key switching,
 * rescaling, encoding, and the in-process client's encryption, decryption and refreshes), so most
 * of it is also counted in the primitive that called it; the other primitives do not overlap.
 */
public enum Primitive {
  KEY_SWITCH("key-switch"),
  CT_CT_MUL("ct-ct-mul"),
  CT_PT_MUL("ct-pt-mul"),
  RESCALE("rescale"),
  ENCODE("encode"),
  ADD("add"),
  NTT("ntt (within the above)");

  private final String label;

  Primitive(String label) {
    this.label = label;
  }

  /** The name used in tables and exports. */
  public String label() {
    return label;
  }
}
