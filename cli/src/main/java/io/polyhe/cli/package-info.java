/**
 * The {@code polyhe} command line, started by the {@code ./polyhe} launcher at the repository root.
 * One picocli subcommand per concern; commands print human-readable text and, with {@code --json},
 * end stdout with one JSON object.
 */
package io.polyhe.cli;
