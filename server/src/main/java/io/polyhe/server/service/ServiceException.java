package io.polyhe.server.service;

import io.grpc.Status;

/**
 * A failure the client may be told about: a status code and a message that names what was wrong
 * without echoing payload bytes, keys or other callers' data. {@link ErrorMapper} sends it as is.
 * The service layer's own failures only: the session store throws its own ({@link
 * io.polyhe.server.session.SessionException}), which {@link ErrorMapper} maps.
 */
public final class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Status.Code code;

  public ServiceException(Status.Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }

  public static ServiceException invalid(String message) {
    return new ServiceException(Status.Code.INVALID_ARGUMENT, message);
  }

  public static ServiceException notFound(String message) {
    return new ServiceException(Status.Code.NOT_FOUND, message);
  }

  public static ServiceException precondition(String message) {
    return new ServiceException(Status.Code.FAILED_PRECONDITION, message);
  }

  public static ServiceException exhausted(String message) {
    return new ServiceException(Status.Code.RESOURCE_EXHAUSTED, message);
  }

  public static ServiceException deadline(String message) {
    return new ServiceException(Status.Code.DEADLINE_EXCEEDED, message);
  }
}
