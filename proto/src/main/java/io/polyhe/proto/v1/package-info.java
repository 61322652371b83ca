/**
 * Java code generated from {@code polyhe/v1/*.proto} by protoc and protoc-gen-grpc-java during the
 * build: the messages ({@code ModelManifest}, {@code LatencyBreakdown}, ...) and the service stubs
 * ({@code ModelServiceGrpc}, {@code KeyServiceGrpc}, {@code InferenceServiceGrpc}). Edit the
 * {@code .proto} files, never this package.
 */
package io.polyhe.proto.v1;
