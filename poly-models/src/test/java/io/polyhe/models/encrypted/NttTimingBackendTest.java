package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.JavaBackend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * The timing wrapper must pass every backend operation through: an interface default left
 * unoverridden would silently run the slow generic path (and hide a backend's own kernels) in
 * every benchmark and `polyhe run`.
 */
class NttTimingBackendTest {

  @Test
  void overridesEveryBackendOperation() throws Exception {
    for (Method m : ComputeBackend.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method own = NttTimingBackend.class.getMethod(m.getName(), m.getParameterTypes());
      assertEquals(NttTimingBackend.class, own.getDeclaringClass(), "NttTimingBackend does not override " + m);
    }
  }

  @Test
  void reportsTheDelegatesCapabilities() {
    ComputeBackend java = new JavaBackend(1);
    assertTrue(new NttTimingBackend(java).usesShoupOperands(), "the Java backend's Shoup products must stay on");
  }
}
