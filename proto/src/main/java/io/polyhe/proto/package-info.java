/**
 * The public {@code polyhe.v1} API: the {@code .proto} files under {@code src/main/proto} (model
 * messages in {@code model.proto}, one file per service) and the Java code generated from them in
 * {@code io.polyhe.proto.v1}; and {@link io.polyhe.proto.Chunks}, the protocol's chunk size and
 * the one helper every sender splits keys and ciphertexts with. No other logic lives here.
 */
package io.polyhe.proto;
