package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.he.HeTestSupport;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code diag(W_0, …, W_{T-1})}, a different matrix per row (rotary position embeddings fold into
 * the query and key projections this way), as a {@link LinearTransform} on ciphertexts against the
 * products in doubles computed row by row from the weights, with the bound of {@link
 * LinearTransformTest}; it has exactly the diagonals of {@code I_T ⊗ W} of the same shape.
 */
class PerBlockMatrixTest {

  @ParameterizedTest
  @EnumSource(value = CircuitFixture.Params.class, names = {"N11_L12", "N10_L6"})
  void eachRowGetsItsOwnMatrix(CircuitFixture.Params p) {
    SplittableRandom r = new SplittableRandom(9);
    int slots = p.params.slots();
    int d = 16;
    int stride = 32;
    int rows = slots / stride;
    double[][][] w = new double[rows][][];
    for (int t = 0; t < rows; t++) {
      w[t] = LinearTransformTest.randomMatrix(r, d, d);
    }
    double[] v = new double[slots];
    for (int t = 0; t < rows; t++) {
      System.arraycopy(HeTestSupport.randomValues(r, d, 1), 0, v, t * stride, d);
    }
    double[] expected = new double[slots];
    for (int t = 0; t < rows; t++) {
      double[] row = LinearTransformTest.reference(w[t], 1, d, d, null,
          java.util.Arrays.copyOfRange(v, t * stride, t * stride + d), d);
      System.arraycopy(row, 0, expected, t * stride, d);
    }
    LinearTransform lt = LinearTransform.of(p.params, BlockMatrix.perBlock(w, stride), null);
    LinearTransform shared = LinearTransform.of(p.params, BlockMatrix.blockDiagonal(w[0], rows, stride), null);
    assertEquals(2 * d - 1, lt.diagonalCount(), "the diagonals of I_T ⊗ W");
    assertEquals(shared.rotationCount(), lt.rotationCount());
    LinearTransformTest.check(p, lt, v, expected, 3);
  }

  @Test
  void sharedAndPerBlockWeightsAreTheSameMatrixWhenTheBlocksAgree() {
    SplittableRandom r = new SplittableRandom(10);
    double[][] w = LinearTransformTest.randomMatrix(r, 4, 3);
    BlockMatrix shared = BlockMatrix.blockDiagonal(w, 3, 8);
    BlockMatrix per = BlockMatrix.perBlock(new double[][][] {w, w, w}, 8);
    assertEquals(true, shared.sharedWeights());
    assertEquals(false, per.sharedWeights());
    double[] v = HeTestSupport.randomValues(r, 24, 1);
    org.junit.jupiter.api.Assertions.assertArrayEquals(shared.multiply(v, 24), per.multiply(v, 24), 0);
    assertEquals(w[2][1], per.weight(2, 2, 1));
    assertThrows(IllegalStateException.class, () -> per.weight(0, 0));
  }

  @Test
  void blocksOfDifferentShapesAreRefused() {
    double[][][] w = {new double[2][2], new double[3][2]};
    w[0][0][0] = 1;
    w[1][0][0] = 1;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BlockMatrix.perBlock(w, 4));
    assertEquals("block 1: weight matrix has 3 rows, block 0 has 2", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BlockMatrix.perBlock(new double[0][][], 4));
  }
}
