package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.Generation;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.TextTokenizer;
import io.polyhe.models.Model;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.text.HeldOutCorpus;
import io.polyhe.models.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text model served end to end over a real loopback port (TLS, API key): the server loads
 * {@code fortune} from a model directory (a checked copy, {@link NewtonFreeFortune}), the
 * SDK reads the manifest (tokenizer.json carried whole, no position table for the rotary model),
 * tokenises exactly as the server's Hugging Face tokenizer over the whole held-out split, and
 * generates on ciphertexts: the encrypted tokens equal the poly-plain ones.
 */
class TextModelServiceEndToEndTest {
  static final String PROMPT = "The ";

  @TempDir Path dir;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void servesTheTextModelThroughTheSdk() throws Exception {
    Path modelDir = NewtonFreeFortune.write(dir.resolve("fortune"));
    Transformer fortune = Model.load(modelDir);
    try (TestServer server = TestServer.start(dir, b -> b.models(List.of(modelDir.toString())));
        HfTokenizer hf = new HfTokenizer(fortune.config().tokenizer())) {
      ManagedChannel channel = server.channel();
      try {
        PolyheClient client = TestServer.client(channel, TestServer.ALICE_KEY);
        ClientModel model = client.model("fortune");
        assertEquals("tokenizer.json", model.manifest().getTokenizer().getKind());
        assertEquals(fortune.config().tokenizer().definition(), model.manifest().getTokenizer().getDefinition());
        assertEquals(0, model.manifest().getInputEmbedding().getPositionRowsCount(), "rotary: no position table");
        assertTrue(!model.learnedPositions());

        // The SDK's tokenizer gives the Hugging Face library's ids on every held-out fortune.
        TextTokenizer sdk = model.tokenizer();
        int chars = 0;
        for (String text : HeldOutCorpus.fortunes().texts()) {
          assertArrayEquals(hf.encode(text), sdk.encode(text), text);
          assertArrayEquals(hf.encodeWithoutSpecialTokens(text), sdk.encodeWithoutSpecialTokens(text), text);
          assertEquals(hf.decode(hf.encode(text)), sdk.decode(sdk.encode(text)));
          chars += text.length();
        }
        assertTrue(chars > 10_000, "held-out split of " + chars + " characters");
        String special = "ab<|endoftext|>c";
        assertArrayEquals(hf.encode(special), sdk.encode(special), "added tokens are matched whole");
        assertEquals(hf.bos(), sdk.encode(PROMPT)[0], "the post-processor's <|endoftext|> leads a prompt");
        assertThrows(IllegalArgumentException.class, () -> sdk.encode("caf\u00e9 \u2603"));

        int[] reference = GreedyGenerator.generate(fortune, Mode.POLY_PLAIN, hf.encode(PROMPT), 2, hf.eos());
        Keyring keyring = Keyring.generate(model);
        Generation g;
        try (ClientSession session = client.openSession(keyring)) {
          g = session.generate(PROMPT, 2, (stage, done, total) -> {});
        }
        assertArrayEquals(reference, g.tokens(), "encrypted '" + g.text() + "' vs poly-plain '"
            + hf.decode(reference) + "'");
        assertEquals(hf.decode(reference), g.text());
        assertTrue(g.refreshes() > 0, "client-aided refreshes happened");
        System.out.printf("fortune served: '%s' -> '%s' in %.1f s (%d passes)%n", PROMPT, g.text(), g.seconds(),
            g.passes().size());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
