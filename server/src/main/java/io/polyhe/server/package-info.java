/** The gRPC inference server (arrives with the service issue). It never references a secret key. */
package io.polyhe.server;
