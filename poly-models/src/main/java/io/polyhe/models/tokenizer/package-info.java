/**
 * Tokenizers: the character-level tokenizer of the shipped task models ({@code task-chars}) and
 * Hugging Face {@code tokenizer.json} files ({@link io.polyhe.models.tokenizer.HfTokenizer}, run
 * by the Hugging Face tokenizers library through DJL), as GPT-NeoX directories carry them.
 */
package io.polyhe.models.tokenizer;
