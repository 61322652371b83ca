/**
 * The service commands: {@code serve}, {@code certs gen}, {@code keys gen}, {@code infer} and the
 * two-command quickstart's {@code demo} (server and client end to end on a loopback port), and
 * {@code soak} (many clients against that loopback server, with a report of errors, latency and
 * memory). {@code demo} and {@code soak} start the server through {@code LoopbackServer}.
 */
package io.polyhe.cli.service;
