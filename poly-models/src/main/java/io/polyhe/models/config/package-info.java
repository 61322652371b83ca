/**
 * The model configuration ({@code config.json}, Hugging Face style): sizes, attention kind
 * (softmax or power-softmax with power {@code p} and {@code epsilon}), normalisation, activation,
 * the fitted approximations with their calibrated ranges, and the tokenizer. Parsing is strict
 * and every record validates itself, so an invalid configuration cannot be built.
 */
package io.polyhe.models.config;
