/**
 * The weights of a model as typed, validated blocks (linear layers, norms, embeddings), built
 * from a safetensors file checked against the names and shapes the configuration implies.
 */
package io.polyhe.models.weights;
