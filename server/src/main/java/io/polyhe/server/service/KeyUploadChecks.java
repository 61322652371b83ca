package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.server.model.WireFormat;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyUploadHeader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The decoding half of a key upload ({@link KeyServiceImpl}): the checks of the upload header
 * against the model, and the reading of each completed key. Every failure is a {@link
 * ServiceException} (INVALID_ARGUMENT, or RESOURCE_EXHAUSTED over the quota) or a {@link
 * io.polyhe.he.io.HeFormatException} (INVALID_ARGUMENT). Kept apart from the service so it can be
 * fuzzed without a session store. Stateless.
 */
final class KeyUploadChecks {
  private KeyUploadChecks() {}

  /**
   * Checks an upload header for model {@code model}: parameter hash, at least one key, the
   * relinearisation key (if any) first, Galois elements the model uses and each once, every size
   * exactly a seeded switching key's and within the server's decoded-object limit, and the total
   * within {@code quota}.
   *
   * @return the declared keys
   */
  static List<KeyDescriptor> header(KeyUploadHeader h, String model, CkksParameters params,
      Set<Integer> galoisElements, long quota, ChunkAssembler.Limits limits) {
    return header(h, model, params, galoisElements, quota, limits, WireFormat.POLYHE);
  }

  /**
   * As {@link #header(KeyUploadHeader, String, CkksParameters, Set, long, ChunkAssembler.Limits)}
   * for keys in {@code format}: every size within the format's bounds for one key.
   */
  static List<KeyDescriptor> header(KeyUploadHeader h, String model, CkksParameters params,
      Set<Integer> galoisElements, long quota, ChunkAssembler.Limits limits, WireFormat format) {
    if (!h.getParametersHash().equals(ByteString.copyFrom(params.rlwe().hash()))) {
      throw ServiceException.invalid("keys are for other CKKS parameters than model '" + model + "' uses");
    }
    List<KeyDescriptor> ks = h.getKeysList();
    if (ks.isEmpty()) {
      throw ServiceException.invalid("the upload declares no keys");
    }
    long min = format.minKeyBytes(params);
    long max = format.maxKeyBytes(params);
    Set<Integer> seen = new HashSet<>();
    long total = 0;
    for (int i = 0; i < ks.size(); i++) {
      KeyDescriptor k = ks.get(i);
      if (k.getKind() == KeyKind.KEY_KIND_RELINEARIZATION) {
        if (i != 0) {
          throw ServiceException.invalid("the relinearisation key must be the first key");
        }
      } else if (k.getKind() == KeyKind.KEY_KIND_GALOIS) {
        if (!galoisElements.contains(k.getGaloisElement())) {
          throw ServiceException.invalid("model '" + model + "' does not rotate with Galois element "
              + Integer.toUnsignedString(k.getGaloisElement()));
        }
        if (!seen.add(k.getGaloisElement())) {
          throw ServiceException.invalid("Galois element " + k.getGaloisElement() + " declared twice");
        }
      } else {
        throw ServiceException.invalid("key " + i + " has no kind");
      }
      limits.checkSize("key " + i, k.getSizeBytes());
      if (min == max && k.getSizeBytes() != min) {
        throw ServiceException.invalid("key " + i + " declares " + k.getSizeBytes() + " bytes; a seeded key of "
            + "these parameters has " + min);
      }
      if (k.getSizeBytes() < min || k.getSizeBytes() > max) {
        throw ServiceException.invalid("key " + i + " declares " + k.getSizeBytes() + " bytes; a " + format.name()
            + " key of these parameters has " + min + " to " + max);
      }
      total += k.getSizeBytes();
    }
    if (total > quota) {
      throw ServiceException.exhausted("keys of " + total + " bytes exceed the per-session quota of " + quota
          + " (the server's --max-key-bytes-per-session)");
    }
    return List.copyOf(ks);
  }

  /** Reads Galois key {@code index}, which must be for the element its descriptor declared. */
  static GaloisKey galoisKey(KeyDescriptor k, int index, byte[] bytes, CkksContext context) {
    return galoisKey(k, index, bytes, context, WireFormat.POLYHE);
  }

  /** As {@link #galoisKey(KeyDescriptor, int, byte[], CkksContext)} for a key in {@code format}. */
  static GaloisKey galoisKey(KeyDescriptor k, int index, byte[] bytes, CkksContext context, WireFormat format) {
    GaloisKey g = format.readGaloisKey(bytes, context);
    if (g.galoisElement() != k.getGaloisElement()) {
      throw ServiceException.invalid("key " + index + " is for Galois element " + g.galoisElement()
          + ", declared " + k.getGaloisElement());
    }
    return g;
  }
}
