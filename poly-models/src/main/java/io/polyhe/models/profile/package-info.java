/**
 * Latency spans of a forward pass: where the time went, by layer and component, with exports as a
 * printed table, JSON, Chrome trace events (opens in Perfetto) and a self-contained HTML bar chart.
 */
package io.polyhe.models.profile;
