package io.herald.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An identity provider in a test: RSA and EC keys made here, their public halves published as a JWKS document by a
 * real HTTP server (the JDK's) on a free loopback port, and tokens signed with them.
 */
public final class JwksIssuer implements AutoCloseable {

  public static final String ISSUER = "https://idp.test/realms/herald";
  public static final String AUDIENCE = "herald-gateway";

  /** A key of this issuer: its id, its algorithm's signer, and its JWK (public half). */
  public record Key(String kid, Algorithm signer, String jwk) {}

  private final HttpServer server;
  private final List<Key> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile boolean failing;

  public JwksIssuer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks", exchange -> {
      if (failing) {
        fetches.incrementAndGet();
        exchange.sendResponseHeaders(500, -1);
        exchange.close();
        return;
      }
      byte[] body = ("{\"keys\":[" + published.stream().map(Key::jwk).collect(Collectors.joining(",")) + "]}")
          .getBytes(StandardCharsets.UTF_8);
      // Counted once the document is made: a key published after the count grew is not in it.
      fetches.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  /** How many times the JWKS document was made for a fetch. */
  public int fetches() {
    return fetches.get();
  }

  /** Whether fetches are answered 500 (the issuer is down) from now on. */
  public void failFetches(boolean fail) {
    failing = fail;
  }

  /** A new RSA key (2048 bits), published. */
  public Key publishRsa(String kid) {
    return publish(rsa(kid));
  }

  /** A new EC P-256 key, published. */
  public Key publishEc(String kid) {
    return publish(ec(kid));
  }

  public Key publish(Key key) {
    published.add(key);
    return key;
  }

  public void withdraw(Key key) {
    published.remove(key);
  }

  /** A new RSA key the issuer does not publish. */
  public static Key rsa(String kid) {
    KeyPair pair = generate("RSA", null);
    RSAPublicKey publicKey = (RSAPublicKey) pair.getPublic();
    String jwk = "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
        + base64(publicKey.getModulus(), 0) + "\",\"e\":\"" + base64(publicKey.getPublicExponent(), 0) + "\"}";
    return new Key(kid, Algorithm.RSA256(publicKey, (RSAPrivateKey) pair.getPrivate()), jwk);
  }

  /** A new EC P-256 key the issuer does not publish (its JWK has no "alg": ES256 follows from the curve). */
  public static Key ec(String kid) {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    ECPublicKey publicKey = (ECPublicKey) pair.getPublic();
    String jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + kid + "\",\"x\":\""
        + base64(publicKey.getW().getAffineX(), 32) + "\",\"y\":\"" + base64(publicKey.getW().getAffineY(), 32) + "\"}";
    return new Key(kid, Algorithm.ECDSA256(publicKey, (ECPrivateKey) pair.getPrivate()), jwk);
  }

  /** A token as this issuer makes them, valid from {@code now} for an hour; not signed yet. */
  public static JWTCreator.Builder claims(String userId, String deviceId, Instant now) {
    return JWT.create().withIssuer(ISSUER).withAudience(AUDIENCE).withSubject(userId).withClaim("device", deviceId)
        .withIssuedAt(now).withExpiresAt(now.plus(Duration.ofHours(1)));
  }

  /** {@code claims} signed with {@code key}, its kid in the header. */
  public static String sign(JWTCreator.Builder claims, Key key) {
    return claims.withKeyId(key.kid()).sign(key.signer());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (curve == null) {
        generator.initialize(2048);
      } else {
        generator.initialize(curve);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64url of the unsigned big-endian bytes, left-padded with zeros to {@code length} when it is not 0. */
  private static String base64(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
