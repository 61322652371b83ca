/**
 * The gRPC services, one class each ({@link io.polyhe.server.service.ModelServiceImpl}, {@link
 * io.polyhe.server.service.KeyServiceImpl}, {@link io.polyhe.server.service.InferenceServiceImpl}),
 * the one error mapper, the bounded inference queue and the client-aided refresher that talks to
 * the client over the Infer stream; and what guards them: request parsing inside the call ({@link
 * io.polyhe.server.service.RequestParsing}), the per-caller cap on open Infer streams ({@link
 * io.polyhe.server.service.InferStreamCap}) and the memory budget of uploads in progress ({@link
 * io.polyhe.server.service.UploadBudget}). No class here holds or names a secret key.
 */
package io.polyhe.server.service;
