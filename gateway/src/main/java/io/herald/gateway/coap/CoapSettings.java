package io.herald.gateway.coap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * {@code herald.gateway.coap} (see reference.conf).
 *
 * @param enabled whether the node listens for CoAP at all
 * @param bindInterface the address to bind
 * @param port UDP port, 0 for any free one
 * @param blockwiseMargin bytes beyond max-frame-bytes the block-wise layer still reassembles, so that a body just
 *     over the limit reaches the resource and gets a TOO_LARGE nack payload rather than Californium's bare 4.13
 * @param dtls coaps with pre-shared keys, when enabled
 */
public record CoapSettings(boolean enabled, String bindInterface, int port, int blockwiseMargin, Dtls dtls) {

  /** {@code herald.gateway.coap.dtls}: port (0 for any free one) and the master secret the PSKs derive from. */
  public record Dtls(boolean enabled, int port, String pskMasterSecret) {
    @Override
    public String toString() {
      // The secret must not end up in a log.
      return "Dtls[enabled=" + enabled + ", port=" + port + "]";
    }
  }

  public static CoapSettings from(Config config) {
    Config coap = config.getConfig("herald.gateway.coap");
    int port = coap.getInt("port");
    if (port < 0 || port > 65535) {
      throw new ConfigException.BadValue(coap.origin(), "port", "must be a UDP port (0 for any free one), was " + port);
    }
    long margin = coap.getBytes("blockwise-margin");
    if (margin < 0 || margin > 1024 * 1024) {
      throw new ConfigException.BadValue(coap.origin(), "blockwise-margin", "must be 0 to 1 MiB, was " + margin);
    }
    Config dtls = coap.getConfig("dtls");
    boolean dtlsEnabled = dtls.getBoolean("enabled");
    if (dtlsEnabled && dtls.getString("psk-master-secret").isBlank()) {
      throw new ConfigException.BadValue(dtls.origin(), "psk-master-secret",
          "coaps is enabled but has no master secret for the pre-shared keys (HERALD_COAP_PSK_MASTER_SECRET)");
    }
    return new CoapSettings(coap.getBoolean("enabled"), coap.getString("interface"), port, (int) margin,
        new Dtls(dtlsEnabled, dtls.getInt("port"), dtls.getString("psk-master-secret")));
  }
}
