package io.herald.gateway.auth;

import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.GatewayMetrics;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An identity provider's signing keys, fetched from its JWKS URL with Pekko HTTP (never on the caller's thread) and
 * held as one immutable snapshot of at most {@code max-keys} keys, replaced by each successful fetch.
 *
 * <p>Fetches happen at start, when the snapshot is older than {@code cache-ttl} (in the background: the known keys go
 * on serving, so an issuer that is down does not lock devices out), and when a token names a key the snapshot lacks
 * (the issuer rotated its keys). Whatever asks, at most one fetch runs at a time, and a new one starts at most once per
 * {@code min-refetch-interval} (per {@code fetch-timeout} after a failed one, when that is shorter): a flood of tokens
 * naming made-up keys costs the issuer one request per interval.
 */
final class JwksKeys {

  private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);
  private static final ObjectMapper json = new ObjectMapper();
  /** Shorter RSA keys are refused (NIST SP 800-131A). */
  private static final int MIN_RSA_BITS = 2048;

  /** A signing key: its id, the one algorithm it may sign with, and the verifier for tokens it signed. */
  record Key(String kid, String algorithm, JWTVerifier verifier) {}

  private record Snapshot(Map<String, Key> keys, long fetchedAtNanos) {}

  private final AuthSettings.Jwks settings;
  private final Function<Algorithm, JWTVerifier> verifierFor;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final Executor dispatcher;
  private final LongSupplier nanoTime;

  private volatile Snapshot snapshot;
  // Guarded by this.
  private CompletableFuture<Void> inFlight;
  private long lastFetchStartedNanos;
  private boolean fetchedOnce;
  private boolean lastFetchFailed;

  /**
   * @param verifierFor the verifier of tokens signed with a key's algorithm (issuer, audience, claims, leeway)
   * @param nanoTime the clock of the TTL and the refetch interval
   */
  JwksKeys(AuthSettings.Jwks settings, Function<Algorithm, JWTVerifier> verifierFor, ActorSystem<?> system,
      LongSupplier nanoTime) {
    this.settings = settings;
    this.verifierFor = verifierFor;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    // Every continuation of a fetch: never the JDK's default executor (docs/performance.md).
    this.dispatcher = system.executionContext();
    this.nanoTime = nanoTime;
    this.snapshot = new Snapshot(Map.of(), nanoTime.getAsLong());
  }

  /** The key with this id, if the last fetch had it. Starts a background fetch when the keys are older than the TTL. */
  Optional<Key> key(String kid) {
    Snapshot current = snapshot;
    if (nanoTime.getAsLong() - current.fetchedAtNanos() > settings.cacheTtl().toNanos()) {
      refreshIfAllowed();
    }
    return Optional.ofNullable(current.keys().get(kid));
  }

  /** The claim naming the device in this issuer's tokens. */
  String deviceClaim() {
    return settings.deviceClaim();
  }

  /**
   * Fetches the keys again unless a fetch ran less than {@code min-refetch-interval} ago. Completes (never
   * exceptionally) when the running or new fetch has ended, at once when none may start; on a Pekko dispatcher thread
   * otherwise.
   */
  synchronized CompletionStage<Void> refreshIfAllowed() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = nanoTime.getAsLong();
    // After a failed fetch (the issuer down, or a node's first fetch slow while it starts) the next may come after
    // fetch-timeout: still bounded for the issuer, and devices are not refused for a whole interval.
    Duration interval = lastFetchFailed && settings.fetchTimeout().compareTo(settings.minRefetchInterval()) < 0
        ? settings.fetchTimeout() : settings.minRefetchInterval();
    if (fetchedOnce && now - lastFetchStartedNanos < interval.toNanos()) {
      return CompletableFuture.completedFuture(null);
    }
    fetchedOnce = true;
    lastFetchStartedNanos = now;
    CompletableFuture<Void> fetch = new CompletableFuture<>();
    inFlight = fetch;
    fetch().whenCompleteAsync((keys, failure) -> {
      if (failure == null) {
        snapshot = new Snapshot(keys, nanoTime.getAsLong());
        GatewayMetrics.jwksFetched(true);
        log.debug("Fetched {} signing keys from {}", keys.size(), settings.url());
      } else {
        GatewayMetrics.jwksFetched(false);
        log.warn("Could not fetch the signing keys from {} (the {} known keys stay in use): {}", settings.url(),
            snapshot.keys().size(), failure.toString());
      }
      synchronized (this) {
        inFlight = null;
        lastFetchFailed = failure != null;
      }
      fetch.complete(null);
    }, dispatcher);
    return fetch;
  }

  private CompletionStage<Map<String, Key>> fetch() {
    CompletableFuture<Map<String, Key>> result = new CompletableFuture<>();
    Duration timeout = settings.fetchTimeout();
    Cancellable timer = system.scheduler().scheduleOnce(timeout, () -> result.completeExceptionally(
        new TimeoutException("no JWKS document within " + timeout.toMillis() + " ms")), system.executionContext());
    Http.get(system).singleRequest(HttpRequest.GET(settings.url().toString()))
        .thenComposeAsync(this::body, dispatcher)
        .thenApplyAsync(this::parse, dispatcher)
        .whenCompleteAsync((keys, failure) -> {
          timer.cancel();
          if (failure == null) {
            result.complete(keys);
          } else {
            result.completeExceptionally(failure);
          }
        }, dispatcher);
    return result;
  }

  private CompletionStage<byte[]> body(HttpResponse response) {
    if (!response.status().isSuccess()) {
      response.discardEntityBytes(materializer);
      return CompletableFuture.failedStage(new IOException("the JWKS URL answered " + response.status()));
    }
    // Bounded in bytes and in time: a larger or slower document fails the fetch.
    return response.entity().toStrict(settings.fetchTimeout().toMillis(), settings.maxDocumentBytes(), materializer)
        .thenApplyAsync(strict -> strict.getData().toArray(), dispatcher);
  }

  /** The usable signing keys of a JWKS document (RFC 7517): RSA for RS256, EC P-256 for ES256, the others ignored. */
  Map<String, Key> parse(byte[] document) {
    JsonNode keys;
    try {
      keys = json.readTree(document).path("keys");
    } catch (IOException e) {
      throw new IllegalArgumentException("the JWKS document is not JSON");
    }
    if (!keys.isArray()) {
      throw new IllegalArgumentException("the JWKS document has no \"keys\" array");
    }
    Map<String, Key> usable = new HashMap<>();
    for (JsonNode jwk : keys) {
      if (usable.size() == settings.maxKeys()) {
        log.warn("The JWKS document at {} has more than {} keys: the rest are ignored (herald.gateway.auth.jwks"
            + ".max-keys)", settings.url(), settings.maxKeys());
        break;
      }
      try {
        toKey(jwk).ifPresent(key -> usable.putIfAbsent(key.kid(), key));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        log.warn("Ignored a key of the JWKS document at {}: {}", settings.url(), e.toString());
      }
    }
    return Map.copyOf(usable);
  }

  private Optional<Key> toKey(JsonNode jwk) throws GeneralSecurityException {
    String kid = jwk.path("kid").asText("");
    String use = jwk.path("use").asText("sig");
    String alg = jwk.path("alg").asText("");
    if (kid.isEmpty() || !use.equals("sig")) {
      return Optional.empty();
    }
    switch (jwk.path("kty").asText("")) {
      case "RSA" -> {
        if (!alg.isEmpty() && !alg.equals("RS256")) {
          return Optional.empty();
        }
        RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")));
        if (key.getModulus().bitLength() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("RSA key " + kid + " is shorter than " + MIN_RSA_BITS + " bits");
        }
        return Optional.of(new Key(kid, "RS256", verifierFor.apply(Algorithm.RSA256(key, null))));
      }
      case "EC" -> {
        if (!jwk.path("crv").asText("").equals("P-256") || (!alg.isEmpty() && !alg.equals("ES256"))) {
          return Optional.empty();
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
            new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y")), parameters.getParameterSpec(ECParameterSpec.class)));
        return Optional.of(new Key(kid, "ES256", verifierFor.apply(Algorithm.ECDSA256(key, null))));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static BigInteger unsigned(JsonNode jwk, String member) {
    String value = jwk.path(member).asText("");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a key lacks \"" + member + "\"");
    }
    return new BigInteger(1, Base64.getUrlDecoder().decode(value));
  }
}
