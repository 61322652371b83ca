package io.polyhe.server.service;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.polyhe.he.io.HeFormat;
import io.polyhe.proto.v1.DeleteSessionRequest;
import io.polyhe.proto.v1.DeleteSessionResponse;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.KeyUploadRequest;
import io.polyhe.proto.v1.Session;
import io.polyhe.server.auth.Caller;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.session.SessionRecord;
import io.polyhe.server.session.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code polyhe.v1.KeyService}: evaluation-key upload into a new session, and deletion. Every key
 * is validated as it completes (he-core's reader checks header, parameter hash, sizes and every
 * coefficient) and must be one the model needs; the session is created only when every declared
 * key arrived intact. Thread-safe (one {@link Upload} per stream).
 */
public final class KeyServiceImpl extends KeyServiceGrpc.KeyServiceImplBase {
  private final ModelRegistry models;
  private final SessionStore store;
  private final long maxKeyBytesPerSession;

  /** @param maxKeyBytesPerSession the per-session key quota, in serialised bytes */
  public KeyServiceImpl(ModelRegistry models, SessionStore store, long maxKeyBytesPerSession) {
    this.models = models;
    this.store = store;
    this.maxKeyBytesPerSession = maxKeyBytesPerSession;
  }

  @Override
  public StreamObserver<KeyUploadRequest> uploadEvaluationKeys(StreamObserver<Session> out) {
    return new Upload(Caller.current(), out);
  }

  @Override
  public void deleteSession(DeleteSessionRequest request, StreamObserver<DeleteSessionResponse> out) {
    try {
      store.delete(request.getSessionId(), Caller.current());
      out.onNext(DeleteSessionResponse.getDefaultInstance());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  private final class Upload implements StreamObserver<KeyUploadRequest> {
    private final Caller caller;
    private final StreamObserver<Session> out;
    private ServedModel model;
    private SessionStore.Upload upload;
    private List<KeyDescriptor> keys;
    private int index;
    private ChunkAssembler current;
    private boolean finished;

    Upload(Caller caller, StreamObserver<Session> out) {
      this.caller = caller;
      this.out = out;
    }

    @Override
    public void onNext(KeyUploadRequest request) {
      if (finished) {
        return;
      }
      try {
        switch (request.getKindCase()) {
          case HEADER -> header(request.getHeader());
          case CHUNK -> chunk(request.getChunk().getData());
          default -> throw ServiceException.invalid("empty upload message");
        }
      } catch (IOException e) {
        fail(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void header(KeyUploadHeader h) throws IOException {
      if (model != null) {
        throw ServiceException.invalid("the upload header comes once, first");
      }
      ServedModel m = ModelServiceImpl.find(models, h.getModel());
      List<KeyDescriptor> ks =
          KeyUploadChecks.header(h, m.name(), m.parameters(), m.galoisElements(), maxKeyBytesPerSession);
      model = m;
      keys = ks;
      upload = store.begin(caller, m);
    }

    private void chunk(ByteString data) throws IOException {
      if (model == null) {
        throw ServiceException.invalid("the upload must start with its header");
      }
      if (index >= keys.size()) {
        throw ServiceException.invalid("more bytes than the declared keys");
      }
      KeyDescriptor k = keys.get(index);
      if (current == null) {
        current = new ChunkAssembler("key " + index, k.getSizeBytes(), k.getSizeBytes());
      }
      if (!current.add(data)) {
        return;
      }
      byte[] bytes = current.bytes();
      current = null;
      if (k.getKind() == KeyKind.KEY_KIND_RELINEARIZATION) {
        upload.addRelinearizationKey(HeFormat.readRelinearizationKey(bytes, model.context()), bytes);
      } else {
        upload.addGaloisKey(KeyUploadChecks.galoisKey(k, index, bytes, model.context()), bytes);
      }
      index++;
    }

    @Override
    public void onError(Throwable t) {
      // The client went away: drop the partial upload.
      finished = true;
      closeUpload();
    }

    @Override
    public void onCompleted() {
      if (finished) {
        return;
      }
      try {
        if (model == null) {
          throw ServiceException.invalid("empty upload");
        }
        if (index < keys.size()) {
          throw ServiceException.invalid("upload ended after " + index + " of " + keys.size() + " keys"
              + (current != null ? " (a key was cut short)" : ""));
        }
        SessionRecord r = upload.commit();
        finished = true;
        out.onNext(Session.newBuilder().setSessionId(r.id()).setExpiresAtUnixMillis(r.expiresMillis())
            .setStoredBytes(r.bytes()).build());
        out.onCompleted();
      } catch (IOException e) {
        fail(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void fail(RuntimeException e) {
      finished = true;
      closeUpload();
      out.onError(ErrorMapper.toStatus(e));
    }

    private void closeUpload() {
      if (upload != null) {
        upload.close();
      }
      current = null;
    }
  }
}
