package io.polyhe.client;

import static io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_BOOTSTRAP;
import static io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_CLIENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.polyhe.proto.v1.ModelManifest;
import org.junit.jupiter.api.Test;

class ClientModelTest {
  static final ModelManifest M = SmallManifest.of("small");

  @Test
  void packsTokenPlusPositionRows() {
    ClientModel m = new ClientModel(M);
    double[] slots = m.pack(new int[] {3, 0});
    assertArrayEquals(new double[] {12, 113, 214, 315, 400, 501, 602, 703, 0}, java.util.Arrays.copyOf(slots, 9));
    assertEquals("ab$", m.tokenizer().decode(m.tokenizer().encode("ab$")));
    assertThrows(IllegalArgumentException.class, () -> m.pack(new int[] {4}));
    assertThrows(IllegalArgumentException.class, () -> m.pack(new int[] {0, 0, 0}));
    assertThrows(IllegalArgumentException.class, () -> m.tokenizer().encode("x"));
  }

  @Test
  void inconsistentManifestsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setParameters(
        M.getParameters().toBuilder().setParametersHash(ByteString.copyFrom(new byte[32]))).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setParameters(
        M.getParameters().toBuilder().setEncoded(ByteString.copyFrom(new byte[60]))).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setVocabSize(5).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setSlotLayout(
        M.getSlotLayout().toBuilder().setRowStride(3)).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setInputEmbedding(
        M.getInputEmbedding().toBuilder().addTokenRows(1)).build()));
  }

  @Test
  void theRefreshModeComesFromTheManifest() {
    assertEquals(RefreshMode.CLIENT, new ClientModel(M).refresh(), "servers before the field refresh client-aided");
    assertEquals(RefreshMode.CLIENT, new ClientModel(M.toBuilder().setRefresh(REFRESH_MODE_CLIENT).build()).refresh());
    assertEquals(RefreshMode.BOOTSTRAP, new ClientModel(M.toBuilder().setRefresh(REFRESH_MODE_BOOTSTRAP).build()).refresh());
    var newer = assertThrows(IllegalArgumentException.class,
        () -> new ClientModel(M.toBuilder().setRefreshValue(7).build()), "a mode this client does not know");
    assertTrue(newer.getMessage().contains("refresh mode 7"), newer.getMessage());
    // Bootstrapped inputs at level 0 would leave the circuit nothing; client-aided ones come at the top.
    assertThrows(IllegalArgumentException.class,
        () -> new ClientModel(M.toBuilder().setRefresh(REFRESH_MODE_BOOTSTRAP).setInputLevel(0).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setInputLevel(0).build()));
  }

  /**
   * A manifest of a server before the enum carries {@code string refresh = 13}: this client skips
   * the field as unknown and reads the mode as unset, i.e. client-aided. For a bootstrapping server
   * that must fail closed: its input level is below the top, which a client-aided manifest may not
   * have (docs/decisions.md, "The manifest's refresh as an enum").
   */
  @Test
  void oldManifestsWithTheStringFieldReadAsClientAidedAndOldBootstrappingOnesAreRefused() throws Exception {
    ModelManifest oldClient = ModelManifest.parseFrom(withOldRefresh(M, "client"));
    assertEquals(RefreshMode.CLIENT, new ClientModel(oldClient).refresh());
    ModelManifest bootstrapped = M.toBuilder().setInputLevel(M.getInputLevel() - 1).build();
    ModelManifest oldBootstrap = ModelManifest.parseFrom(withOldRefresh(bootstrapped, "bootstrap"));
    assertEquals(io.polyhe.proto.v1.RefreshMode.REFRESH_MODE_UNSPECIFIED, oldBootstrap.getRefresh());
    assertTrue(oldBootstrap.getUnknownFields().hasField(13), "the old field survives as unknown");
    var e = assertThrows(IllegalArgumentException.class, () -> new ClientModel(oldBootstrap));
    assertTrue(e.getMessage().contains("input level"), e.getMessage());
  }

  /** {@code m}'s bytes plus field 13 as the old schema wrote it (length-delimited string). */
  private static byte[] withOldRefresh(ModelManifest m, String value) throws java.io.IOException {
    var out = new java.io.ByteArrayOutputStream();
    var coded = com.google.protobuf.CodedOutputStream.newInstance(out);
    m.writeTo(coded);
    coded.writeString(13, value);
    coded.flush();
    return out.toByteArray();
  }
}
