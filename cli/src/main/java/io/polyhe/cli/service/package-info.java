/**
 * The service commands: {@code serve}, {@code certs gen}, {@code keys gen}, {@code infer} and the
 * two-command quickstart's {@code demo} (server and client end to end on a loopback port).
 */
package io.polyhe.cli.service;
