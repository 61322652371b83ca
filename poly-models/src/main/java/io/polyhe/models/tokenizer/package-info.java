/** The character-level tokenizer of the shipped task models ({@code task-chars}). */
package io.polyhe.models.tokenizer;
