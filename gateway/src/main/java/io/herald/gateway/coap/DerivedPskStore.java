package io.herald.gateway.coap;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * The pre-shared keys of coaps: a device's PSK identity is its device id and its key is HMAC-SHA256(master secret,
 * identity). Operators provision a device with its key without the gateway keeping a table of keys; the token in
 * {@code access_token} still decides who the frames act for.
 */
public final class DerivedPskStore implements AdvancedPskStore {

  private final byte[] masterSecret;

  DerivedPskStore(String masterSecret) {
    this.masterSecret = masterSecret.getBytes(StandardCharsets.UTF_8);
  }

  /** The key of a device (what a device is provisioned with). */
  public static byte[] keyFor(String masterSecret, String identity) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(identity.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public boolean hasEcdhePskSupported() {
    return false;
  }

  @Override
  public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
      PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
      boolean useExtendedMasterSecret) {
    var key = keyFor(new String(masterSecret, StandardCharsets.UTF_8), identity.getPublicInfoAsString());
    return new PskSecretResult(cid, identity, SecretUtil.create(key, PskSecretResult.ALGORITHM_PSK));
  }

  @Override
  public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
    // Only clients name an identity; the gateway is the server.
    return null;
  }

  @Override
  public void setResultHandler(HandshakeResultHandler resultHandler) {
    // Keys are computed at once, never asynchronously.
  }
}
