package io.polyhe.server.session;

import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.server.model.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a session's key file into evaluation keys for its model. he-core's reader validates every
 * key (header, parameter hash, sizes, every coefficient); this class checks that the file holds
 * exactly the keys its record lists, in order, and reads it to its end, where a {@link
 * KeyStore#read} stream verifies size and checksum. Stateless.
 */
final class KeyFileReader {
  private KeyFileReader() {}

  /**
   * The keys {@code r} describes, read from {@code in} (not closed here).
   *
   * @throws IOException if the file is damaged, shorter or longer than described, or unreadable
   * @throws IllegalArgumentException if a key does not fit the model's parameters
   */
  static EvaluationKeys read(InputStream in, SessionRecord r, ServedModel model) throws IOException {
    RelinearizationKey relin = r.hasRelinearizationKey()
        ? model.format().readRelinearizationKey(in, model.context()) : null;
    List<GaloisKey> galois = new ArrayList<>();
    for (int g : r.galoisElements()) {
      GaloisKey k = model.format().readGaloisKey(in, model.context());
      if (k.galoisElement() != g) {
        throw new DamagedFileException("key file does not match its description");
      }
      galois.add(k);
    }
    if (in.read() != -1) {
      throw new DamagedFileException("trailing bytes in key file");
    }
    return EvaluationKeys.of(model.parameters().rlwe(), relin, galois);
  }
}
