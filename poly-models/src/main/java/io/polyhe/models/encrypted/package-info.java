/**
 * Encrypted execution of the polynomial transformer (issue 6, in progress). So far: the in-process
 * client-aided {@link io.polyhe.he.circuits.Refresher}, which holds a secret key and is meant for
 * tests and the single-process {@code run} command; the server never constructs it (it sends
 * refresh requests to the client instead). The slot layout, encrypted layers, level planner and
 * latency spans follow; {@link io.polyhe.models.encrypted.SlotLayout} is the row-major layout of
 * activations, as data a client can read from a manifest.
 */
package io.polyhe.models.encrypted;
