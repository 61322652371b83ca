package io.polyhe.he.ckks;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.rlwe.RlweContext;

/**
 * CKKS parameters bound to a compute backend: the entry point from which encoders, evaluators,
 * key generators and encryptors are built. Immutable and thread-safe; build one and share it.
 */
public final class CkksContext {
  private final CkksParameters params;
  private final RlweContext rlwe;

  private CkksContext(CkksParameters params, ComputeBackend backend) {
    this.params = params;
    this.rlwe = new RlweContext(params.rlwe(), backend);
  }

  /** A context on the best backend available here, using all processors. */
  public static CkksContext create(CkksParameters params) {
    return new CkksContext(params, ComputeBackends.best(ComputeBackends.defaultThreads()));
  }

  /** A context on the given backend. */
  public static CkksContext create(CkksParameters params, ComputeBackend backend) {
    return new CkksContext(params, backend);
  }

  public CkksParameters parameters() {
    return params;
  }

  /** The ring-LWE context (keys, encryption, decryption). */
  public RlweContext rlwe() {
    return rlwe;
  }

  public ComputeBackend backend() {
    return rlwe.backend();
  }

  @Override
  public String toString() {
    return "CkksContext(" + params + ", backend=" + backend().name() + ")";
  }
}
