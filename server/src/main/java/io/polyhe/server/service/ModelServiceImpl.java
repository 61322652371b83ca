package io.polyhe.server.service;

import io.grpc.stub.StreamObserver;
import io.polyhe.proto.v1.GetModelManifestRequest;
import io.polyhe.proto.v1.ListModelsRequest;
import io.polyhe.proto.v1.ListModelsResponse;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;

/** {@code polyhe.v1.ModelService}: the served models and their manifests. Thread-safe. */
public final class ModelServiceImpl extends ModelServiceGrpc.ModelServiceImplBase {
  private final ModelRegistry models;

  public ModelServiceImpl(ModelRegistry models) {
    this.models = models;
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    for (ServedModel m : models.all()) {
      b.addModels(m.info());
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getModelManifest(GetModelManifestRequest request, StreamObserver<ModelManifest> out) {
    try {
      out.onNext(find(models, request.getModel()).manifest());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  static ServedModel find(ModelRegistry models, String name) {
    return models.find(name).orElseThrow(() -> ServiceException.notFound("no model '" + cut(name) + "' is served"));
  }

  private static String cut(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
