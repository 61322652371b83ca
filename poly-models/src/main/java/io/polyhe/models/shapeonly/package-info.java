/**
 * Random-weight models of any shape (e.g. Pythia-70M's) with calibrated approximation ranges,
 * for latency benchmarks of the encrypted pass where accuracy does not matter.
 */
package io.polyhe.models.shapeonly;
