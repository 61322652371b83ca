/** Polynomial transformer models: configuration, weights, plaintext and encrypted forward passes. */
package io.polyhe.models;
