package io.polyhe.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A session on the server (evaluation keys uploaded) with the keyring that made it: the SDK's one
 * way to run encrypted inference ({@link #infer}) and greedy generation ({@link #generate}). Made by
 * {@link PolyheClient#openSession} or, for a session uploaded earlier, {@link #resume}. {@link
 * #close()} deletes the session on the server. Calls throw {@link io.grpc.StatusRuntimeException}
 * with the server's status. Thread-safe (calls are independent; the server limits how many run at
 * once).
 */
public final class ClientSession implements AutoCloseable {
  private final PolyheClient client;
  private final Keyring keyring;
  private final String id;
  private final long uploadedBytes;
  private final Instant expiresAt;

  /** {@code expiresAt} null when unknown (a resumed session). */
  ClientSession(PolyheClient client, Keyring keyring, String id, long uploadedBytes, Instant expiresAt) {
    this.client = Objects.requireNonNull(client, "client");
    this.keyring = Objects.requireNonNull(keyring, "keyring");
    this.id = Objects.requireNonNull(id, "id");
    this.uploadedBytes = uploadedBytes;
    this.expiresAt = expiresAt;
  }

  /**
   * A session uploaded earlier (e.g. before a server restart, or by another process) with the same
   * keyring. Nothing is sent: an unknown or expired id shows as NOT_FOUND on the first call.
   */
  public static ClientSession resume(PolyheClient client, Keyring keyring, String id) {
    return new ClientSession(client, keyring, id, 0, null);
  }

  /** The session id: a bearer of access to this caller's keys on the server; keep it private. */
  public String id() {
    return id;
  }

  /** Bytes of evaluation keys uploaded (0 for a resumed session). */
  public long uploadedBytes() {
    return uploadedBytes;
  }

  /** When the server deletes this session; empty for a resumed one. */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  public Keyring keyring() {
    return keyring;
  }

  /** As {@link #infer(int[], ProgressListener)} without progress. */
  public InferenceResult infer(int[] tokens) {
    return infer(tokens, ProgressListener.NONE);
  }

  /**
   * One encrypted forward pass over {@code tokens} (1 to the model's context): encrypts them, answers
   * the server's refresh requests, decrypts the logits of every row. The call's deadline is the
   * client's {@code inferTimeout}.
   *
   * @throws IllegalArgumentException for no tokens, too many, or an id outside the vocabulary
   */
  public InferenceResult infer(int[] tokens, ProgressListener progress) {
    return client.tracing().infer(tokens.length,
        () -> new InferCall(keyring, id, tokens, progress).run(client.inferStub()));
  }

  /** As {@link #generate(String, int, ProgressListener)} without progress. */
  public Generation generate(String prompt, int maxTokens) {
    return generate(prompt, maxTokens, ProgressListener.NONE);
  }

  /**
   * Greedy generation: tokenises {@code prompt}, then runs one encrypted forward pass per new token
   * (the argmax of the last row), stopping at end-of-sequence, after {@code maxTokens}, or when the
   * context is full.
   *
   * @throws IllegalArgumentException for an empty or too long prompt, or characters outside the
   *     vocabulary
   */
  public Generation generate(String prompt, int maxTokens, ProgressListener progress) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
    }
    ClientModel model = keyring.model();
    int[] sequence = model.tokenizer().encode(prompt);
    if (sequence.length == 0 || sequence.length > model.maxTokens()) {
      throw new IllegalArgumentException("prompt of " + sequence.length + " tokens; need 1.." + model.maxTokens());
    }
    long start = System.nanoTime();
    List<InferenceResult> passes = new ArrayList<>();
    int[] out = new int[0];
    progress.onProgress(ProgressListener.Stage.GENERATION, 0, maxTokens);
    while (out.length < maxTokens) {
      InferenceResult pass = infer(sequence, progress);
      passes.add(pass);
      int next = pass.nextToken();
      out = Arrays.copyOf(out, out.length + 1);
      out[out.length - 1] = next;
      progress.onProgress(ProgressListener.Stage.GENERATION, out.length, maxTokens);
      if (next == model.tokenizer().eos() || sequence.length == model.maxTokens()) {
        break;
      }
      sequence = Arrays.copyOf(sequence, sequence.length + 1);
      sequence[sequence.length - 1] = next;
    }
    return new Generation(model.tokenizer().decode(out), out, passes, (System.nanoTime() - start) / 1e9);
  }

  /** Deletes the session on the server. */
  @Override
  public void close() {
    client.deleteSession(id);
  }

  @Override
  public String toString() {
    return "ClientSession(" + id.substring(0, Math.min(6, id.length())) + "..., " + keyring.model().name() + ")";
  }
}
