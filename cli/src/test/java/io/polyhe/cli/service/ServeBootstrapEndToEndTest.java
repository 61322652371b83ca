package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.InferenceResult;
import io.polyhe.client.Keyring;
import io.polyhe.client.LatencyBreakdown;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.ProgressListener;
import io.polyhe.client.RefreshMode;
import io.polyhe.he.io.HeFormat;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import io.polyhe.proto.v1.InferResponse;
import io.polyhe.server.ServerConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Non-interactive bootstrapping through the service: a real server on a loopback port (TLS, API
 * key), configured by {@code serve --refresh bootstrap --insecure-test-bootstrap} (INSECURE N = 2^14
 * parameters, sparse secret h = 64), serving {@code tiny}. A client reads the manifest, makes its
 * keys (the sparse secret the parameters ask for, one Galois key per manifest element), uploads
 * them and runs one encrypted pass. The greedy answer must equal poly-plain's, the server must send
 * no {@code RefreshRequest} (counted on the wire by a client interceptor), and the breakdown must
 * show the bootstraps as the {@code bootstrap} component with their sub-steps as spans. A dense
 * secret under these parameters would wreck the bootstrap (its ModRaise overflow is far beyond
 * K = 24), so the right answer also shows the client honoured the Hamming weight.
 *
 * <p>Heavy ({@code -Pheavy} or {@code -Dpolyhe.heavy=true}): 120–136 s on the shared 2-core
 * machine under another session's load (keys made and uploaded 45–53 s, the pass 66–75 s of which
 * 55–60 s bootstrapping), over the default suite's budget of about 90 s.
 */
class ServeBootstrapEndToEndTest {

  /** Counts Infer responses of each kind, as they arrive. */
  static final class ResponseCounter implements ClientInterceptor {
    final AtomicInteger refreshRequests = new AtomicInteger();
    final AtomicInteger progress = new AtomicInteger();

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onMessage(R message) {
              if (message instanceof InferResponse r) {
                switch (r.getKindCase()) {
                  case REFRESH_REQUEST -> refreshRequests.incrementAndGet();
                  case PROGRESS -> progress.incrementAndGet();
                  default -> { }
                }
              }
              super.onMessage(message);
            }
          }, headers);
        }
      };
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "polyhe.heavy", matches = "true")
  void aPassBootstrapsOnTheServerWithoutAskingTheClient() throws Exception {
    ServerConfig flags = ServeCommandTest.parse("--key-store", "/tmp/unused", "--refresh", "bootstrap",
        "--insecure-test-bootstrap");
    Transformer tiny = ShippedModels.load("tiny");
    TaskTokenizer tokenizer = new TaskTokenizer(tiny.config().tokenizer());
    int[] prompt = tokenizer.encode("^S21=");
    int expected = GreedyGenerator.generate(tiny, Mode.POLY_PLAIN, prompt, 1, tokenizer.eos())[0];

    long start = System.nanoTime();
    try (LoopbackServer server = LoopbackServer.start("polyhe-boot-e2e", List.of("alice"),
        b -> b.refresh(flags.refresh()))) {
      double serverSeconds = (System.nanoTime() - start) / 1e9;
      ManagedChannel channel = server.channel();
      try {
        ResponseCounter counter = new ResponseCounter();
        PolyheClient client = server.client(ClientInterceptors.intercept(channel, counter), "alice",
            PolyheClient.Builder::acceptInsecureParametersForTestsOnly);
        ClientModel model = client.model("tiny");
        assertEquals(RefreshMode.BOOTSTRAP, model.refresh());
        assertEquals(64, model.parameters().rlwe().secretHammingWeight());

        long t = System.nanoTime();
        Keyring keyring = Keyring.generate(model);
        InferenceResult pass;
        double uploadSeconds;
        try (ClientSession session = client.openSession(keyring)) {
          uploadSeconds = (System.nanoTime() - t) / 1e9;
          assertEquals(HeFormat.switchingKeySize(model.parameters().rlwe()) * (1L + model.galoisElements().length),
              session.uploadedBytes(), "the relinearisation key and one key per manifest element");
          AtomicInteger forwardReports = new AtomicInteger();
          AtomicInteger maxDone = new AtomicInteger();
          AtomicInteger planned = new AtomicInteger();
          pass = session.infer(prompt, (stage, done, total) -> {
            if (stage == ProgressListener.Stage.FORWARD_PASS) {
              forwardReports.incrementAndGet();
              maxDone.accumulateAndGet(done, Math::max);
              planned.set(total);
            }
          });
          // queued, running, then one report before each bootstrap with the ones done so far.
          assertEquals(2 + pass.refreshes(), forwardReports.get());
          assertEquals(pass.refreshes() - 1, maxDone.get());
          assertEquals(pass.refreshes(), planned.get(), "the plan's count");
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(expected, pass.nextToken(), "greedy answer against poly-plain");
        assertEquals(0, counter.refreshRequests.get(), "the server asked the client to refresh");
        LatencyBreakdown b = pass.breakdown();
        double bootstrap = b.componentSeconds("bootstrap");
        assertTrue(bootstrap > 0, "no bootstrap component in " + b.components());
        for (String step : new String[] {"CoeffsToSlots", "EvalMod", "SlotsToCoeffs"}) {
          assertTrue(b.spans().stream().anyMatch(s -> s.component().equals("bootstrap")
              && s.layer().endsWith(step)), "no span for " + step);
        }
        assertTrue(pass.refreshes() > 0);
        assertEquals(pass.refreshes(), b.refresh().refreshes(), "bootstraps counted in RefreshTime");
        assertEquals(0.0, b.refresh().serverWaitSeconds());
        assertEquals(0.0, b.refresh().clientSeconds());
        assertEquals(0, b.refresh().bytesToClient());
        System.out.printf("bootstrap over the service: next token %s (poly-plain %s), %d bootstraps, %.1f s of"
                + " %.1f s server time bootstrapping; server start %.1f s, keys made and uploaded %.1f s, pass"
                + " %.1f s, %d progress messages; test %.1f s%n",
            tokenizer.decode(new int[] {pass.nextToken()}), tokenizer.decode(new int[] {expected}), pass.refreshes(),
            bootstrap, b.totalSeconds(), serverSeconds, uploadSeconds, pass.seconds(), counter.progress.get(),
            seconds);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
