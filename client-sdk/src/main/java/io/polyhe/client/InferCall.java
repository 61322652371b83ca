package io.polyhe.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.polyhe.proto.ChunkBuffer;
import io.polyhe.proto.Chunks;
import io.polyhe.proto.v1.InferRequest;
import io.polyhe.proto.v1.InferResponse;
import io.polyhe.proto.v1.InferStart;
import io.polyhe.proto.v1.InferenceServiceGrpc;
import io.polyhe.proto.v1.RefreshAnswer;
import io.polyhe.proto.v1.RefreshRequest;
import java.util.concurrent.CompletableFuture;

/**
 * One Infer stream, client side: sends the start and the encrypted input in chunks, answers every
 * refresh request (client-aided refresh; a model whose server bootstraps sends none, and one that
 * does is refused), collects the encrypted logits and the breakdown, and decrypts. Server messages
 * are checked (sizes bounded before anything is buffered, ciphertexts read by he-core's validating
 * reader); a malformed one cancels the call. Chunks are cut by {@link Chunks}. Used once; the one
 * path of an inference is {@link ClientSession#infer}.
 */
final class InferCall implements ClientResponseObserver<InferRequest, InferResponse> {
  private final Keyring keyring;
  private final ClientCipher cipher;
  private final String sessionId;
  private final int[] tokens;
  private final ProgressListener progress;
  private final long maxCiphertextBytes;
  private final CompletableFuture<InferenceResult> result = new CompletableFuture<>();
  private ClientCallStreamObserver<InferRequest> requests;
  private ChunkBuffer logits;
  private ChunkBuffer refresh;
  private long refreshId;
  private int refreshLevel;
  private double refreshScale;
  private io.polyhe.proto.v1.LatencyBreakdown breakdown;
  private int refreshes;
  private long bytesUp;
  private long bytesDown;
  private long start;
  private int refreshesPlanned;
  private int refreshRequests;

  /**
   * Most refresh requests answered per call: a server asking for many more than it planned is
   * broken or hostile, and each answer costs the client a decryption and an encryption.
   */
  static int maxRefreshes(int planned) {
    return Math.max(64, 4 * planned);
  }

  InferCall(Keyring keyring, String sessionId, int[] tokens, ProgressListener progress) {
    this.keyring = keyring;
    this.cipher = new ClientCipher(keyring);
    this.sessionId = sessionId;
    this.tokens = tokens.clone();
    this.progress = progress;
    this.maxCiphertextBytes = keyring.model().wire().maxCiphertextBytes(keyring.model().parameters());
  }

  InferenceResult run(InferenceServiceGrpc.InferenceServiceStub stub) {
    start = System.nanoTime();
    byte[] input = cipher.encryptInput(tokens);
    ClientCallStreamObserver<InferRequest> req = (ClientCallStreamObserver<InferRequest>) stub.infer(this);
    synchronized (this) {
      req.onNext(InferRequest.newBuilder().setStart(InferStart.newBuilder().setSessionId(sessionId)
          .setModel(keyring.model().name()).setTokens(tokens.length)).build());
      Chunks.ciphertext(input, chunk -> requests.onNext(InferRequest.newBuilder().setInput(chunk).build()));
      bytesUp += input.length;
    }
    return PolyheClient.await(result);
  }

  /** The outcome: completes when the call ends, exceptionally with a status for a bad server. */
  CompletableFuture<InferenceResult> result() {
    return result;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<InferRequest> requests) {
    this.requests = requests;
  }

  @Override
  public synchronized void onNext(InferResponse r) {
    if (result.isDone()) {
      return;
    }
    try {
      switch (r.getKindCase()) {
        case PROGRESS -> {
          if (refreshesPlanned == 0) {
            refreshesPlanned = r.getProgress().getRefreshesPlanned();
          }
          progress.onProgress(ProgressListener.Stage.FORWARD_PASS, r.getProgress().getRefreshesDone(),
              r.getProgress().getRefreshesPlanned());
        }
        case REFRESH_REQUEST -> refreshRequest(r.getRefreshRequest());
        case LOGITS -> {
          if (logits == null) {
            logits = new ChunkBuffer("logits", r.getLogits().getTotalBytes(), maxCiphertextBytes);
          }
          logits.add(r.getLogits().getData());
        }
        case RESULT -> {
          breakdown = r.getResult().getBreakdown();
          refreshes = r.getResult().getRefreshes();
        }
        default -> throw new IllegalArgumentException("empty message from the server");
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void refreshRequest(RefreshRequest q) {
    if (keyring.model().refresh() == RefreshMode.BOOTSTRAP) {
      // The manifest promised non-interactive bootstrapping: decrypting on request would be a
      // service this client never agreed to give.
      throw new IllegalArgumentException("the server sent a refresh request, but its manifest says it bootstraps");
    }
    if (refresh == null) {
      if (++refreshRequests > maxRefreshes(refreshesPlanned)) {
        throw new IllegalArgumentException("the server asked for more than " + maxRefreshes(refreshesPlanned)
            + " refreshes in one pass (it planned " + refreshesPlanned + ")");
      }
      refresh = new ChunkBuffer("refresh request", q.getChunk().getTotalBytes(), maxCiphertextBytes);
      refreshId = q.getRefreshId();
      refreshLevel = q.getTargetLevel();
      refreshScale = q.getTargetScale();
    } else if (q.getRefreshId() != refreshId) {
      throw new IllegalArgumentException("refresh request " + q.getRefreshId() + " interleaved with " + refreshId);
    }
    if (!refresh.add(q.getChunk().getData())) {
      return;
    }
    long t0 = System.nanoTime();
    byte[] request = refresh.bytes();
    bytesDown += request.length;
    refresh = null;
    byte[] answer = cipher.refresh(request, refreshLevel, refreshScale);
    double clientSeconds = (System.nanoTime() - t0) / 1e9;
    long id = refreshId;
    bytesUp += answer.length;
    Chunks.ciphertext(answer, chunk -> requests.onNext(InferRequest.newBuilder().setRefreshAnswer(
        RefreshAnswer.newBuilder().setRefreshId(id).setChunk(chunk).setClientSeconds(clientSeconds)).build()));
  }

  @Override
  public synchronized void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public synchronized void onCompleted() {
    if (result.isDone()) {
      return;
    }
    try {
      if (logits == null || !logits.complete() || breakdown == null) {
        throw new IllegalArgumentException("the server ended the call without complete logits and breakdown");
      }
      byte[] bytes = logits.bytes();
      bytesDown += bytes.length;
      double[][] values = cipher.decryptLogits(bytes, tokens.length);
      result.complete(new InferenceResult(values, LatencyBreakdown.of(breakdown), refreshes, bytesUp, bytesDown,
          (System.nanoTime() - start) / 1e9));
    } catch (RuntimeException e) {
      result.completeExceptionally(Status.DATA_LOSS.withDescription("bad answer from the server: " + e.getMessage())
          .asRuntimeException());
    }
  }

  private void fail(RuntimeException e) {
    requests.cancel("client rejected a server message", e);
    result.completeExceptionally(Status.DATA_LOSS.withDescription("bad message from the server: " + e.getMessage())
        .asRuntimeException());
  }
}
