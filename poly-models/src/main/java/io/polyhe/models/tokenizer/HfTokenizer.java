package io.polyhe.models.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.polyhe.models.config.TokenizerSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, run by the Hugging Face {@code tokenizers} library itself
 * (Rust, through DJL's {@code ai.djl.huggingface:tokenizers}, whose jar carries the native library
 * for linux-x86_64, linux-aarch64, osx-aarch64 and win-x86_64 and extracts it into DJL's cache
 * directory on first use: no network). So ids are exactly those of the Python {@code tokenizers}
 * package for the same file, whatever its model (BPE, byte-level BPE, WordPiece, ...).
 *
 * <p>{@link #encode} tokenises a prompt as Hugging Face does by default ({@code
 * add_special_tokens=True}): the file's post-processor adds its special tokens (the {@code fortune}
 * models' puts {@code <|endoftext|>} first, as in training; Pythia's adds none). {@link
 * #encodeWithoutSpecialTokens} leaves them out (corpus text, whose windows add their own). Both
 * refuse text the tokenizer cannot represent exactly: the text's own ids must decode back to it,
 * so characters a vocabulary lacks are an error, not silently dropped. Thread-safe (the
 * native tokenizer is immutable); {@link #close} frees it, after which nothing may be called.
 */
public final class HfTokenizer implements AutoCloseable {
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerSpec spec;

  /**
   * The tokenizer of {@code spec}.
   *
   * @throws IllegalArgumentException if {@code spec} is not a {@code tokenizer.json} tokenizer or
   *     the library refuses its text
   */
  public HfTokenizer(TokenizerSpec spec) {
    if (!spec.kind().equals(TokenizerSpec.TOKENIZER_JSON)) {
      throw new IllegalArgumentException("tokenizer kind '" + spec.kind() + "' is not a tokenizer.json");
    }
    this.spec = spec;
    try {
      this.tokenizer = HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(spec.definition().getBytes(StandardCharsets.UTF_8)), OPTIONS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("tokenizer.json refused by the tokenizers library: " + e.getMessage(), e);
    }
  }

  /** Id of the beginning-of-sequence token (GPT-NeoX: {@code bos_token_id}). */
  public int bos() {
    return spec.bos();
  }

  /** Id of the end-of-sequence token ({@code eos_token_id}). */
  public int eos() {
    return spec.eos();
  }

  /** Number of token ids the tokenizer knows. */
  public int size() {
    return spec.vocab().size();
  }

  /**
   * Token ids of a prompt {@code text}, with the special tokens the file's post-processor adds.
   *
   * @throws IllegalArgumentException if the text's own ids do not decode back to {@code text}
   */
  public int[] encode(String text) {
    encodeWithoutSpecialTokens(text);
    return ints(tokenizer.encode(text, true, false).getIds());
  }

  /**
   * Token ids of {@code text} alone, no special tokens added.
   *
   * @throws IllegalArgumentException if the ids do not decode back to {@code text}
   */
  public int[] encodeWithoutSpecialTokens(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    String back = tokenizer.decode(ids, false);
    if (!back.equals(text)) {
      throw new IllegalArgumentException("text is not exactly representable by this tokenizer (characters outside "
          + "its vocabulary?): it decodes back as '" + back + "'");
    }
    return ints(ids);
  }

  private static int[] ints(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /**
   * The text of {@code ids}, special tokens included, as the file's decoder joins them.
   *
   * @throws IllegalArgumentException for an id outside the tokenizer
   */
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= size()) {
        throw new IllegalArgumentException("token id " + ids[i] + " outside [0, " + size() + ")");
      }
      l[i] = ids[i];
    }
    return tokenizer.decode(l, false);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
