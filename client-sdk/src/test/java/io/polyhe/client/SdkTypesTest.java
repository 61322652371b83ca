package io.polyhe.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.polyhe.proto.v1.ComponentTime;
import io.polyhe.proto.v1.LayerTime;
import io.polyhe.proto.v1.PrimitiveTime;
import io.polyhe.proto.v1.RefreshTime;
import io.polyhe.proto.v1.Session;
import io.polyhe.proto.v1.Span;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK's own result types read every field of the protocol messages they replace. */
class SdkTypesTest {
  @Test
  void theBreakdownCarriesEveryFieldOfTheMessage() {
    var m = io.polyhe.proto.v1.LatencyBreakdown.newBuilder().setTotalSeconds(3.5)
        .addComponents(ComponentTime.newBuilder().setComponent("norm").setSeconds(1.0))
        .addComponents(ComponentTime.newBuilder().setComponent("refresh").setSeconds(0.5))
        .addComponents(ComponentTime.newBuilder().setComponent("norm").setSeconds(0.25))
        .addLayers(LayerTime.newBuilder().setLayer("layer 0")
            .addComponents(ComponentTime.newBuilder().setComponent("norm").setSeconds(1.25)))
        .addPrimitives(PrimitiveTime.newBuilder().setPrimitive("key_switch").setSeconds(0.75).setCalls(12))
        .setRefresh(RefreshTime.newBuilder().setRefreshes(3).setServerWaitSeconds(0.5).setClientSeconds(0.2)
            .setBytesToClient(100).setBytesFromClient(200))
        .addSpans(Span.newBuilder().setLayer("layer 0").setComponent("norm").setStartNanos(5).setNanos(7)
            .setThread("w-1"))
        .build();
    LatencyBreakdown b = LatencyBreakdown.of(m);
    assertEquals(3.5, b.totalSeconds());
    assertEquals(List.of("norm", "refresh"), List.copyOf(b.components().keySet()), "the server's order");
    assertEquals(1.25, b.componentSeconds("norm"), 1e-15, "repeated names summed");
    assertEquals(0.0, b.componentSeconds("bootstrap"));
    assertEquals(1.25, b.layers().get("layer 0").get("norm"));
    assertEquals(List.of(new LatencyBreakdown.PrimitiveTime("key_switch", 0.75, 12)), b.primitives());
    assertEquals(new LatencyBreakdown.RefreshTime(3, 0.5, 0.2, 100, 200), b.refresh());
    assertEquals(List.of(new LatencyBreakdown.Span("layer 0", "norm", 5, 7, "w-1")), b.spans());
    assertThrows(UnsupportedOperationException.class, () -> b.components().put("x", 1.0));
    assertThrows(UnsupportedOperationException.class, () -> b.layers().get("layer 0").put("x", 1.0));
    assertEquals(new LatencyBreakdown.RefreshTime(6, 1.0, 0.4, 200, 400), b.refresh().plus(b.refresh()));
    assertEquals(b.refresh(), LatencyBreakdown.RefreshTime.NONE.plus(b.refresh()));
    var empty = LatencyBreakdown.of(io.polyhe.proto.v1.LatencyBreakdown.getDefaultInstance());
    assertEquals(LatencyBreakdown.RefreshTime.NONE, empty.refresh());
    assertTrue(empty.spans().isEmpty() && empty.components().isEmpty());
  }

  @Test
  void modelAndSessionInfoReadTheirMessagesAndHideTheSessionId() {
    byte[] hash = new byte[32];
    hash[0] = (byte) 0xab;
    hash[31] = 1;
    var info = ModelInfo.of(io.polyhe.proto.v1.ModelInfo.newBuilder().setName("tiny").setDescription("d")
        .setModelHash(ByteString.copyFrom(hash)).build());
    assertEquals(new ModelInfo("tiny", "d", "ab" + "00".repeat(30) + "01"), info);

    String id = "S3cr3tSessionIdThatIsABearerToken0";
    var listed = SessionInfo.of(Session.newBuilder().setSessionId(id).setModel("tiny").setStoredBytes(42)
        .setExpiresAtUnixMillis(1_700_000_000_000L).build(), "ignored");
    assertEquals(new SessionInfo(id, "tiny", Instant.ofEpochMilli(1_700_000_000_000L), 42), listed);
    var uploaded = SessionInfo.of(Session.newBuilder().setSessionId(id).build(), "tiny");
    assertEquals("tiny", uploaded.model(), "an upload's answer names no model: the client's is used");
    assertFalse(listed.toString().contains(id.substring(0, 12)), listed.toString());
  }
}
