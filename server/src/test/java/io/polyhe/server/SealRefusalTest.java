package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.io.seal.ComprMode;
import io.polyhe.he.io.seal.SealFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.proto.v1.CiphertextFormat;
import io.polyhe.proto.v1.GetModelManifestRequest;
import io.polyhe.proto.v1.KeyDescriptor;
import io.polyhe.proto.v1.KeyKind;
import io.polyhe.proto.v1.KeyServiceGrpc;
import io.polyhe.proto.v1.KeyUploadHeader;
import io.polyhe.proto.v1.ListSessionsRequest;
import io.polyhe.proto.v1.ModelManifest;
import io.polyhe.proto.v1.ModelServiceGrpc;
import io.polyhe.server.model.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad SEAL input to a real server in the SEAL profile ({@code --format seal}, TLS on a loopback
 * port): SEAL objects made for other parameters, a wrong parms_id, truncated bytes, an oversized
 * object, an unknown compression mode, a key for a Galois element the model does not use (declared,
 * or held by a key declared for another element). Each gets INVALID_ARGUMENT
 * with a message naming what is wrong, and nothing else is touched: no session appears, no file is
 * left in the key store, and the one valid session stays as it was. Valid objects are made with
 * he-core's SEAL profile and {@link SealFormat} (a control upload of the same shape is accepted),
 * so each refusal is due to its one defect. Keys: a relinearisation key and two Galois keys,
 * generated once (seconds). SEAL input ciphertexts are refused in {@code
 * service.IncomingSealCiphertextTest} (an Infer needs a session with every key, minutes to make).
 */
class SealRefusalTest {
  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static ModelManifest manifest;
  static CkksContext context;
  static SecretKey sk;
  static byte[] relin;
  static byte[] galois0;
  static byte[] galois1;
  static int g0;
  static int g1;
  static String session;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dir, b -> b.format(WireFormat.of("seal")));
    channel = server.channel();
    manifest = ModelServiceGrpc.newBlockingStub(channel).withCallCredentials(RawInfer.bearer(TestServer.ALICE_KEY))
        .getModelManifest(GetModelManifestRequest.newBuilder().setModel("tiny").build());
    assertEquals(CiphertextFormat.CIPHERTEXT_FORMAT_SEAL, manifest.getCiphertextFormat());
    assertTrue(manifest.getParameters().getEncoded().isEmpty(), "no polyhe encoding in the SEAL profile");
    RlweParameters rlwe = SealFormat.readParameters(manifest.getParameters().getSealParameters().toByteArray());
    assertEquals(Profile.SEAL, rlwe.profile());
    context = CkksContext.create(CkksParameters.of(rlwe, Math.scalb(1.0, manifest.getParameters().getLogDefaultScale())));
    KeyGenerator kg = new KeyGenerator(context.rlwe(), SeedSource.secure());
    sk = kg.generateSecretKey();
    g0 = manifest.getGaloisElements(0);
    g1 = manifest.getGaloisElements(1);
    relin = SealFormat.writeRelinKeys(kg.generateRelinearizationKey(sk), ComprMode.NONE);
    galois0 = SealFormat.writeGaloisKeys(List.of(kg.generateGaloisKey(sk, g0)), ComprMode.NONE);
    galois1 = SealFormat.writeGaloisKeys(List.of(kg.generateGaloisKey(sk, g1)), ComprMode.ZSTD);
    // The control: the same shape of upload, valid, is accepted.
    RawUpload ok = RawUpload.open(channel, TestServer.ALICE_KEY, 120);
    ok.header(header(relin.length, g0, galois0.length, g1, galois1.length)).bytes(relin).bytes(galois0).bytes(galois1);
    ok.requests.onCompleted();
    assertEquals(Status.Code.OK, ok.awaitStatus(120).getCode());
    assertNotNull(ok.session);
    session = ok.session.getSessionId();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
  }

  static KeyUploadHeader.Builder header(long relinSize, int ga, long gaSize, int gb, long gbSize) {
    return KeyUploadHeader.newBuilder().setModel("tiny").setParametersHash(manifest.getParameters().getParametersHash())
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_RELINEARIZATION).setSizeBytes(relinSize))
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(ga).setSizeBytes(gaSize))
        .addKeys(KeyDescriptor.newBuilder().setKind(KeyKind.KEY_KIND_GALOIS).setGaloisElement(gb).setSizeBytes(gbSize));
  }

  /** Runs an upload, expects INVALID_ARGUMENT naming {@code named}, and that nothing else changed. */
  static void refused(String named, Consumer<RawUpload> body) throws Exception {
    Status s = RawUpload.run(channel, TestServer.ALICE_KEY, body);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription() != null && s.getDescription().contains(named),
        "the message should name '" + named + "': " + s.getDescription());
    untouched();
  }

  /** The one valid session is the caller's only one, and the store holds its file alone. */
  static void untouched() throws Exception {
    var sessions = KeyServiceGrpc.newBlockingStub(channel).withCallCredentials(RawInfer.bearer(TestServer.ALICE_KEY))
        .listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList();
    assertEquals(1, sessions.size(), sessions.toString());
    assertEquals(session, sessions.get(0).getSessionId());
    assertEquals(1, server.server.metrics().gaugeValue("polyhe_sessions"));
    try (Stream<Path> files = Files.list(server.keyStore)) {
      List<Path> left = files.toList();
      assertEquals(1, left.size(), "only the valid session's entry in the key store: " + left);
    }
  }

  /** A copy of a relin-key upload whose relinearisation key is {@code bad}. */
  static Consumer<RawUpload> withRelin(byte[] bad) {
    return req -> req.header(header(bad.length, g0, galois0.length, g1, galois1.length)).bytes(bad);
  }

  /**
   * The Java SDK speaks SEAL to such a server: its model reads the SEAL parameters, and its keys
   * (SEAL objects, sizes declared before they are made) are accepted. A partial upload (two Galois
   * keys, the first and the last of the manifest, whose SEAL sizes differ) keeps this cheap.
   */
  @Test
  void theJavaSdkUploadsSealKeysTheServerAccepts() throws Exception {
    io.polyhe.client.PolyheClient client = TestServer.client(channel, TestServer.ALICE_KEY);
    io.polyhe.client.ClientModel model = client.model("tiny");
    assertTrue(model.sealFormat());
    assertEquals(Profile.SEAL, model.parameters().rlwe().profile());
    assertEquals(manifest.getParameters().getParametersHash(),
        com.google.protobuf.ByteString.copyFrom(model.parameters().rlwe().hash()));
    io.polyhe.client.Keyring keyring = io.polyhe.client.Keyring.generate(model);
    int[] all = model.galoisElements();
    var info = io.polyhe.client.PartialUploads.upload(client, keyring, new int[] {all[0], all[all.length - 1]},
        io.polyhe.client.ProgressListener.NONE);
    try {
      assertTrue(info.storedBytes() > 0, info.toString());
    } finally {
      client.deleteSession(info.id());
    }
    untouched();
  }

  @Test
  void aRelinKeyForOtherParametersIsInvalid() throws Exception {
    // Other SEAL-profile parameters of the same ring: 3 levels instead of the model's.
    CkksParameters other = CkksParameters.of(RlweParameters.of(LevelPlanner.sealCandidate(14, 3).ring()
        .withProfile(Profile.SEAL)), Math.scalb(1.0, 34));
    CkksContext c = CkksContext.create(other);
    KeyGenerator kg = new KeyGenerator(c.rlwe(), SeedSource.secure());
    byte[] foreign = SealFormat.writeRelinKeys(kg.generateRelinearizationKey(kg.generateSecretKey()), ComprMode.NONE);
    refused("parms_id", withRelin(foreign));
  }

  @Test
  void aWrongParmsIdIsInvalid() throws Exception {
    byte[] bad = relin.clone();
    bad[16] ^= 1; // the first byte of the RelinKeys' parms_id, right after the 16-byte SEALHeader
    refused("parms_id", withRelin(bad));
  }

  @Test
  void truncatedBytesAreInvalid() throws Exception {
    // Declared as the shorter size, so the upload is complete, but the SEALHeader says more.
    refused("RelinKeys", withRelin(Arrays.copyOf(relin, relin.length / 2)));
  }

  @Test
  void anOversizedObjectIsInvalid() throws Exception {
    long max = WireFormat.of("seal").maxKeyBytes(context.parameters());
    refused("bytes", req -> req.header(header(max + 1, g0, galois0.length, g1, galois1.length)));
  }

  @Test
  void aSealHeaderClaimingMoreThanTheBytesIsInvalid() throws Exception {
    byte[] bad = relin.clone();
    bad[15] = 0x7f; // the top byte of the header's total size
    refused("RelinKeys", withRelin(bad));
  }

  @Test
  void anUnknownCompressionModeIsInvalid() throws Exception {
    byte[] bad = relin.clone();
    bad[5] = 7; // SEALHeader.compr_mode: 0 none, 1 zlib, 2 zstd
    refused("compr", withRelin(bad));
  }

  @Test
  void aKeyForAGaloisElementTheModelDoesNotUseIsInvalid() throws Exception {
    int unused = 3;
    while (manifest.getGaloisElementsList().contains(unused)) {
      unused += 2;
    }
    int declared = unused;
    refused("Galois element " + unused, req -> req.header(header(relin.length, declared, galois0.length, g1, galois1.length)));
  }

  @Test
  void aGaloisKeyForAnotherElementThanDeclaredIsInvalid() throws Exception {
    // Declared for g1 (and sized as a key for g1 would be), but holding g0's key.
    refused("Galois element", req -> req.header(header(relin.length, g1, galois0.length, g0, galois1.length))
        .bytes(relin).bytes(galois0));
  }

}
