package io.polyhe.models.profile;

/** What a span of a forward pass was doing (DESIGN.md §4, latency spans). */
public enum Component {
  PLAIN_MATMUL("plain-matmul"),
  CIPHER_MATMUL("cipher-matmul"),
  POWER_SOFTMAX("power-softmax"),
  NORM("norm"),
  ACTIVATION("activation"),
  RESIDUAL("residual"),
  REFRESH("refresh"),
  /** Non-interactive bootstrapping; its spans are named by sub-step (CoeffsToSlots, EvalMod, ...). */
  BOOTSTRAP("bootstrap"),
  ENCODE_OTHER("encode/other");

  private final String label;

  Component(String label) {
    this.label = label;
  }

  /** The name used in tables and exports. */
  public String label() {
    return label;
  }
}
