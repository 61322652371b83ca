/**
 * The gRPC services, one class each ({@link io.polyhe.server.service.ModelServiceImpl}, {@link
 * io.polyhe.server.service.KeyServiceImpl}, {@link io.polyhe.server.service.InferenceServiceImpl}),
 * the one error mapper, the bounded inference queue and the client-aided refresher that talks to
 * the client over the Infer stream. No class here holds or names a secret key.
 */
package io.polyhe.server.service;
