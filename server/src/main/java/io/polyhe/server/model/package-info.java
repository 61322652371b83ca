/**
 * The models a server serves: each planned once (CKKS parameters, Galois elements) and described by
 * the manifest clients read.
 */
package io.polyhe.server.model;
