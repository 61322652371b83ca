package io.polyhe.client;

import io.polyhe.he.io.HeFormat;

/**
 * The serialised keys of one upload and their sizes, which the upload header declares before any
 * key is sent. polyhe's seeded keys all have one size. SEAL's (uncompressed) {@code RelinKeys} has
 * one size, and a {@code GaloisKeys} holding the key of element g has one more 8-byte empty entry
 * per odd element below g: so the relinearisation key and the first Galois key are made up front
 * (and sent as they are), and every other size follows from the first. Each key is checked
 * against its declared size when made. Used once, by one upload; not thread-safe.
 */
final class KeySizes {
  private final ClientWire wire;
  private final long polyheSize;
  private byte[] relin;
  private final long relinSize;
  private byte[] first;
  private final int firstElement;
  private final long firstSize;

  private KeySizes(ClientWire wire, long polyheSize, byte[] relin, byte[] first, int firstElement) {
    this.wire = wire;
    this.polyheSize = polyheSize;
    this.relin = relin;
    this.relinSize = relin == null ? polyheSize : relin.length;
    this.first = first;
    this.firstElement = firstElement;
    this.firstSize = first == null ? polyheSize : first.length;
  }

  /** For an upload of the relinearisation key and the Galois keys of {@code elements}. */
  static KeySizes of(Keyring keyring, int[] elements) {
    ClientWire wire = keyring.model().wire();
    long polyhe = HeFormat.switchingKeySize(keyring.model().parameters().rlwe());
    if (wire == ClientWire.POLYHE) {
      return new KeySizes(wire, polyhe, null, null, 0);
    }
    byte[] relin = wire.write(keyring.relinearizationKey());
    byte[] first = elements.length == 0 ? null : wire.write(keyring.galoisKey(elements[0]));
    return new KeySizes(wire, polyhe, relin, first, elements.length == 0 ? 0 : elements[0]);
  }

  long relin() {
    return relinSize;
  }

  long galois(int element) {
    return wire == ClientWire.POLYHE ? polyheSize
        : firstSize + 8L * ((element - 1) / 2 - (firstElement - 1) / 2);
  }

  /** The relinearisation key's bytes (made up front for SEAL). */
  byte[] relinBytes(Keyring keyring) {
    byte[] b = relin != null ? relin : wire.write(keyring.relinearizationKey());
    relin = null;
    return checked(b, relinSize, "relinearisation key");
  }

  /** The bytes of the Galois key of {@code element}. */
  byte[] galoisBytes(Keyring keyring, int element) {
    byte[] b;
    if (first != null && element == firstElement) {
      b = first;
      first = null;
    } else {
      b = wire.write(keyring.galoisKey(element));
    }
    return checked(b, galois(element), "Galois key " + element);
  }

  private static byte[] checked(byte[] b, long declared, String what) {
    if (b.length != declared) {
      throw new IllegalStateException(what + " is " + b.length + " bytes, but the upload declared " + declared);
    }
    return b;
  }
}
