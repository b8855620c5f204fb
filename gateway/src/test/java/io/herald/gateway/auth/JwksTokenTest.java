package io.herald.gateway.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.herald.gateway.auth.InvalidTokenException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens of an identity provider (RS256, ES256) checked against the keys it publishes as JWKS, served by a real HTTP
 * server in the test. The key cache's clock is the test's: no test waits for time to pass.
 */
class JwksTokenTest {

  private static final String SECRET = "jwks-token-test-secret-of-32-bytes-or-more";
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration LEEWAY = Duration.ofSeconds(30);
  private static final Duration MIN_REFETCH = Duration.ofSeconds(30);
  private static final Duration CACHE_TTL = Duration.ofMinutes(10);
  // Generous: the first fetch of a JVM on a busy test machine may take seconds. The retry rule after a failed fetch
  // uses it as its interval, measured on the test's clock.
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(20);
  private static final ActorTestKit testKit = ActorTestKit.create();

  private final AtomicLong nanoTime = new AtomicLong();
  private JwksIssuer issuer;
  private JwksIssuer.Key rsa;
  private JwksIssuer.Key ec;
  private TokenVerifier verifier;

  @BeforeEach
  void start() throws Exception {
    issuer = new JwksIssuer();
    rsa = issuer.publishRsa("rsa-1");
    ec = issuer.publishEc("ec-1");
    verifier = verifier(Optional.of(SECRET));
  }

  @AfterEach
  void stop() {
    issuer.close();
  }

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void rs256AndEs256TokensSignedWithPublishedKeysAreAccepted() throws Exception {
    assertEquals(new DeviceIdentity("alice", "phone"), authenticate(sign(claims("alice", "phone"), rsa)));
    assertEquals(new DeviceIdentity("bob", "sensor"), authenticate(sign(claims("bob", "sensor"), ec)));
    // HS256 tokens of Herald's own secret are still accepted beside them.
    assertEquals(new DeviceIdentity("carol", "tablet"),
        authenticate(Tokens.mint(SECRET, "carol", "tablet", Duration.ofHours(1), NOW)));
  }

  @Test
  void aTokenSignedWithAKeyTheIssuerDoesNotPublishIsRefused() throws Exception {
    assertRefused(sign(claims("alice", "phone"), JwksIssuer.rsa("stranger")), Reason.UNKNOWN_KEY);
    // A published kid, but another private key made the signature.
    assertRefused(sign(claims("alice", "phone"), new JwksIssuer.Key("rsa-1", JwksIssuer.rsa("x").signer(), "")),
        Reason.BAD_SIGNATURE);
    assertRefused(claims("alice", "phone").sign(rsa.signer()), Reason.UNKNOWN_KEY); // no kid at all
  }

  @Test
  void aTokenForAnotherAudienceOrFromAnotherIssuerIsRefused() throws Exception {
    assertRefused(sign(claims("alice", "phone").withAudience("another-service"), rsa), Reason.INVALID_CLAIM);
    assertRefused(sign(claims("alice", "phone").withIssuer("https://elsewhere.test"), ec), Reason.INVALID_CLAIM);
    assertRefused(sign(claims("alice", "phone").withAudience((String[]) null), rsa), Reason.MISSING_CLAIM);
    assertRefused(sign(claims("alice", "phone").withClaim("device", (String) null), rsa), Reason.MISSING_CLAIM);
  }

  @Test
  void aTokenExpiredBeyondTheLeewayIsRefusedWithinItAccepted() throws Exception {
    Instant issued = NOW.minus(Duration.ofHours(1));
    String withinLeeway = sign(claims("alice", "phone").withIssuedAt(issued)
        .withExpiresAt(NOW.minus(LEEWAY).plusSeconds(1)), rsa);
    String beyondLeeway = sign(claims("alice", "phone").withIssuedAt(issued)
        .withExpiresAt(NOW.minus(LEEWAY).minusSeconds(1)), rsa);

    assertEquals(new DeviceIdentity("alice", "phone"), authenticate(withinLeeway));
    assertRefused(beyondLeeway, Reason.EXPIRED);
  }

  @Test
  void aTokenWhoseAlgorithmIsNotItsKeysIsRefused() throws Exception {
    // HS256 with the RSA key's public half as the HMAC secret, naming the RSA key: checked against Herald's secret.
    String confused = sign(claims("mallory", "phone"),
        new JwksIssuer.Key("rsa-1", Algorithm.HMAC256(rsa.jwk()), ""));
    assertRefused(confused, Reason.BAD_SIGNATURE);
    // Without an HS256 secret, no HS256 token at all.
    TokenVerifier jwksOnly = verifier(Optional.empty());
    InvalidTokenException refused = refusal(jwksOnly, confused);
    assertEquals(Reason.BAD_SIGNATURE, refused.reason());
    assertEquals("tokens signed with HS256 are not accepted", refused.getMessage());
    // Unsigned, naming a published key.
    assertRefused(sign(claims("mallory", "phone"), new JwksIssuer.Key("rsa-1", Algorithm.none(), "")),
        Reason.BAD_SIGNATURE);
    // RS256 naming the EC key.
    assertRefused(sign(claims("mallory", "phone"), new JwksIssuer.Key("ec-1", rsa.signer(), "")),
        Reason.BAD_SIGNATURE);
  }

  @Test
  void aKeyTheIssuerAddsLaterIsFetchedWhenATokenNamesIt() throws Exception {
    authenticate(sign(claims("alice", "phone"), rsa));
    assertEquals(1, issuer.fetches());
    JwksIssuer.Key rotated = issuer.publishEc("ec-2");
    String token = sign(claims("alice", "phone"), rotated);

    // Within the refetch interval of the first fetch: not fetched again, refused.
    assertRefused(token, Reason.UNKNOWN_KEY);
    assertEquals(1, issuer.fetches());

    nanoTime.addAndGet(MIN_REFETCH.toNanos());
    assertEquals(new DeviceIdentity("alice", "phone"), authenticate(token));
    assertEquals(2, issuer.fetches());
  }

  @Test
  void aFloodOfMadeUpKeyIdsFetchesAtMostOncePerInterval() throws Exception {
    authenticate(sign(claims("alice", "phone"), rsa));
    nanoTime.addAndGet(MIN_REFETCH.toNanos());

    JwksIssuer.Key stranger = JwksIssuer.rsa("stranger");
    for (int i = 0; i < 200; i++) {
      assertRefused(sign(claims("mallory", "phone"), new JwksIssuer.Key("made-up-" + i, stranger.signer(), "")),
          Reason.UNKNOWN_KEY);
      nanoTime.addAndGet(MIN_REFETCH.toNanos() / 100);
    }
    // 200 made-up keys over two intervals: one fetch per interval.
    assertEquals(1 + 2, issuer.fetches());
  }

  @Test
  void keysOlderThanTheTtlAreFetchedAgainAndAWithdrawnKeyStopsVerifying() throws Exception {
    String token = sign(claims("alice", "phone"), rsa);
    authenticate(token);
    issuer.withdraw(rsa);

    nanoTime.addAndGet(CACHE_TTL.toNanos() + 1);
    // The known keys serve while the background fetch runs; once it is done the withdrawn key is gone.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        verifier.verify(token);
        return false;
      } catch (InvalidTokenException e) {
        return e.reason() == Reason.UNKNOWN_KEY;
      }
    });
    assertEquals(2, issuer.fetches());
  }

  @Test
  void afterAFailedFetchTheNextMayComeAfterTheFetchTimeout() throws Exception {
    // The first fetch has ended: a token's wait for it says so.
    authenticate(sign(claims("alice", "phone"), rsa));
    nanoTime.addAndGet(MIN_REFETCH.toNanos());
    issuer.failFetches(true);
    JwksIssuer.Key rotated = issuer.publishRsa("rsa-2");
    String token = sign(claims("alice", "phone"), rotated);
    assertRefused(token, Reason.UNKNOWN_KEY);
    assertEquals(2, issuer.fetches());

    issuer.failFetches(false);
    assertRefused(token, Reason.UNKNOWN_KEY);
    assertEquals(2, issuer.fetches(), "not before fetch-timeout has passed");
    nanoTime.addAndGet(FETCH_TIMEOUT.toNanos());
    assertEquals(new DeviceIdentity("alice", "phone"), authenticate(token));
    assertEquals(3, issuer.fetches());
  }

  private TokenVerifier verifier(Optional<String> secret) {
    var jwks = new AuthSettings.Jwks(issuer.url(), JwksIssuer.ISSUER, JwksIssuer.AUDIENCE, "device", CACHE_TTL,
        MIN_REFETCH, FETCH_TIMEOUT, 32, 64 * 1024);
    return TokenVerifier.start(new AuthSettings(secret, LEEWAY, Optional.of(jwks)), testKit.system(),
        Clock.fixed(NOW, ZoneOffset.UTC), nanoTime::get);
  }

  private static JWTCreator.Builder claims(String userId, String deviceId) {
    return JwksIssuer.claims(userId, deviceId, NOW);
  }

  private static String sign(JWTCreator.Builder claims, JwksIssuer.Key key) {
    return JwksIssuer.sign(claims, key);
  }

  private DeviceIdentity authenticate(String token) throws Exception {
    return verifier.authenticate(token).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void assertRefused(String token, Reason reason) throws Exception {
    InvalidTokenException refused = refusal(verifier, token);
    assertEquals(reason, refused.reason(), refused.getMessage());
  }

  private static InvalidTokenException refusal(TokenVerifier verifier, String token) {
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> verifier.authenticate(token).toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(InvalidTokenException.class, failed.getCause());
  }
}
