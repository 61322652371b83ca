/** TLS material: self-signed certificates for {@code polyhe certs gen}, the demo and tests. */
package io.polyhe.server.tls;
