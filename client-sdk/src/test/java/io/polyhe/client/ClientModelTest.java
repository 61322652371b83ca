package io.polyhe.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    assertEquals(RefreshMode.CLIENT, new ClientModel(M.toBuilder().setRefresh("client").build()).refresh());
    assertEquals(RefreshMode.BOOTSTRAP, new ClientModel(M.toBuilder().setRefresh("bootstrap").build()).refresh());
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setRefresh("hybrid").build()));
    // Bootstrapped inputs at level 0 would leave the circuit nothing; client-aided ones come at the top.
    assertThrows(IllegalArgumentException.class,
        () -> new ClientModel(M.toBuilder().setRefresh("bootstrap").setInputLevel(0).build()));
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(M.toBuilder().setInputLevel(0).build()));
  }
}
