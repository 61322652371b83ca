/**
 * The polyhe gRPC server ({@link io.polyhe.server.PolyheServer}, configured by {@link
 * io.polyhe.server.ServerConfig}): computes on ciphertexts with the client's public evaluation keys
 * and never references a secret key (an architecture test checks every class of this module).
 */
package io.polyhe.server;
