/**
 * The resident pass engine: {@code --backend native-resident} (or {@code cuda-resident}) runs the
 * encrypted pass of {@code polyhe run} and {@code polyhe bench model} with ciphertexts, keys and
 * weights resident on a {@link io.polyhe.he.backend.ResidentDevice}. Lives in the CLI because the
 * CLI is the module that sees both poly-models (the pass runner) and native (the devices).
 */
package io.polyhe.cli.resident;
