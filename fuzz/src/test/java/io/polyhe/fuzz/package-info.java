/**
 * Shared pieces of the fuzz targets: the decode contract (valid object or documented exception,
 * allocation within a stated bound). The targets themselves live in the packages of the readers they
 * fuzz, so they can reach package-private decoders; see {@code docs/fuzzing.md}.
 */
package io.polyhe.fuzz;
