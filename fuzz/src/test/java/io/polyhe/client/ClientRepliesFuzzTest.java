package io.polyhe.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.proto.v1.CiphertextChunk;
import io.polyhe.proto.v1.InferRequest;
import io.polyhe.proto.v1.InferResponse;
import io.polyhe.proto.v1.InferResult;
import io.polyhe.proto.v1.LatencyBreakdown;
import io.polyhe.proto.v1.Progress;
import io.polyhe.proto.v1.RefreshRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target of the client's decoding of an Infer stream's replies ({@link InferCall}): progress,
 * refresh requests (bounded buffer, he-core's reader, the public checks before decrypting, the
 * answer), logits chunks and the result with its breakdown, then the end of the stream. Input:
 * length-delimited {@code InferResponse} messages (bytes that are not one end the input, as gRPC
 * would reject them). The model is {@link ClientDecodingFuzzTest#smallManifest(CkksParameters)} over
 * {@link #PARAMETERS} with a deterministic keyring; tokens are {@code [2, 3]}.
 *
 * <p>Contract: {@link InferCall#onNext} and {@link InferCall#onCompleted} never throw; the call's
 * result is either an {@link InferenceResult} or fails with a {@code DATA_LOSS} status (the
 * documented answer to a malformed server message). Allocation bound: {@value #PER_BYTE} bytes per
 * input byte (protobuf copies, the reply buffers, unpacked limbs, a decryption and re-encryption per
 * refresh at most proportional to the ciphertext it answers) plus {@value #CONSTANT}.
 */
class ClientRepliesFuzzTest {
  static final long PER_BYTE = 512;
  static final long CONSTANT = 16 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);
  static final int[] TOKENS = {2, 3};

  /**
   * The smallest secure parameters that can refresh: N = 2^12, one 45-bit prime, scale 2^20 (a
   * refresh needs 14 bits over the scale). One limb keeps an execution's decryption and
   * re-encryption cheap enough for 10 000 runs in the default build.
   */
  static final CkksParameters PARAMETERS =
      CkksParameters.of(new CkksParameters.Literal(12, new int[] {45}, new int[0], 20));
  static final ClientModel MODEL = new ClientModel(ClientDecodingFuzzTest.smallManifest(PARAMETERS));
  static final Keyring KEYRING = Keyring.generate(MODEL, SeedSource.deterministicForTestsOnly(3));

  @FuzzTest
  void inferReplies(byte[] b) throws Exception {
    Contract.check(b.length, BOUND, () -> replay(b), StatusRuntimeException.class);
  }

  /** Feeds the replies to a fresh call and returns its result, or throws its failure. */
  static InferenceResult replay(byte[] b) throws Exception {
    InferCall call = new InferCall(KEYRING, "session", TOKENS, ProgressListener.NONE);
    call.beforeStart(new NoServer());
    InputStream in = new ByteArrayInputStream(b);
    for (InferResponse r; (r = next(in)) != null; ) {
      call.onNext(r);
    }
    call.onCompleted();
    CompletableFuture<InferenceResult> result = call.result();
    try {
      return result.getNow(null);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.DATA_LOSS) {
        throw s;
      }
      throw new AssertionError("the call failed with something other than DATA_LOSS", cause);
    }
  }

  private static InferResponse next(InputStream in) {
    try {
      return InferResponse.parseDelimitedFrom(in);
    } catch (InvalidProtocolBufferException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The request side of the call: takes the refresh answers and cancellations, sends nothing. */
  private static final class NoServer extends ClientCallStreamObserver<InferRequest> {
    @Override public boolean isReady() { return true; }
    @Override public void setOnReadyHandler(Runnable r) {}
    @Override public void request(int count) {}
    @Override public void setMessageCompression(boolean enable) {}
    @Override public void cancel(String message, Throwable cause) {}
    @Override public void disableAutoInboundFlowControl() {}
    @Override public void onNext(InferRequest value) {}
    @Override public void onError(Throwable t) {}
    @Override public void onCompleted() {}
  }

  // ------------------------------------------------------------------------------ seed corpus

  private static List<CiphertextChunk> chunks(byte[] ct, int pieces) {
    List<CiphertextChunk> out = new ArrayList<>();
    int step = (ct.length + pieces - 1) / pieces;
    for (int off = 0; off < ct.length; off += step) {
      out.add(CiphertextChunk.newBuilder().setTotalBytes(off == 0 ? ct.length : 0)
          .setData(ByteString.copyFrom(ct, off, Math.min(step, ct.length - off))).build());
    }
    return out;
  }

  /** A well-behaved server's replies: one refresh at the input level, then logits and the result. */
  static byte[] validReplies() {
    ClientCipher cipher = new ClientCipher(KEYRING);
    List<InferResponse> replies = new ArrayList<>();
    replies.add(InferResponse.newBuilder().setProgress(Progress.newBuilder().setStage("running")
        .setRefreshesPlanned(1)).build());
    for (CiphertextChunk c : chunks(cipher.encryptInput(TOKENS), 2)) {
      replies.add(InferResponse.newBuilder().setRefreshRequest(RefreshRequest.newBuilder().setRefreshId(1)
          .setTargetLevel(MODEL.parameters().maxLevel()).setTargetScale(MODEL.parameters().defaultScale())
          .setChunk(c)).build());
    }
    for (CiphertextChunk c : chunks(cipher.encryptInput(new int[] {1, 0}), 3)) {
      replies.add(InferResponse.newBuilder().setLogits(c).build());
    }
    replies.add(InferResponse.newBuilder().setResult(InferResult.newBuilder().setRefreshes(1)
        .setBreakdown(LatencyBreakdown.newBuilder().setTotalSeconds(1.5))).build());
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (InferResponse r : replies) {
        r.writeDelimitedTo(out);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the seed with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() throws Exception {
    SeedCorpus.write(ClientRepliesFuzzTest.class, "inferReplies", Map.of("refresh-logits-result", validReplies()));
    for (Path p : SeedCorpus.validSeeds(ClientRepliesFuzzTest.class, "inferReplies")) {
      if (replay(SeedCorpus.read(p)) == null) {
        throw new AssertionError(p + " did not complete the call");
      }
    }
  }
}
