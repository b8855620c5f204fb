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
 */
public record CoapSettings(boolean enabled, String bindInterface, int port, int blockwiseMargin) {

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
    return new CoapSettings(coap.getBoolean("enabled"), coap.getString("interface"), port, (int) margin);
  }
}
