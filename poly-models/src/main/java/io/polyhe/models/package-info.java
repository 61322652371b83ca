/**
 * Polynomial transformer models: loading a model (config + weights) from a directory or from
 * the shipped resources, and the list of shipped models. Subpackages, bottom to top: {@code
 * format}, {@code approx}, {@code safetensors}, {@code config}, {@code weights}, {@code
 * tokenizer}, {@code forward}, {@code tasks}, {@code shapeonly}.
 */
package io.polyhe.models;
