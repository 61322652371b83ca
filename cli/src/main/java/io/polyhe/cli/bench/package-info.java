/** The {@code polyhe bench} commands: micro-benchmarks that report medians, never assertions. */
package io.polyhe.cli.bench;
