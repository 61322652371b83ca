/**
 * The safetensors weight format: a strict reader that validates the whole header before any
 * tensor is touched, and a writer that produces files the reader (and Hugging Face's
 * {@code safetensors}) accept.
 *
 * <p>Layout: an 8-byte little-endian header length {@code n}, {@code n} bytes of UTF-8 JSON
 * mapping tensor names to {@code {"dtype", "shape", "data_offsets"}} (plus an optional
 * {@code "__metadata__"} map of strings), then the data buffer. Offsets are relative to the
 * data buffer; the tensors must tile it exactly.
 */
package io.polyhe.models.safetensors;
