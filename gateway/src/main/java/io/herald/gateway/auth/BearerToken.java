package io.herald.gateway.auth;

import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** The token of an {@code Authorization: Bearer <token>} header. */
public final class BearerToken {

  private static final String PREFIX = "bearer ";

  private BearerToken() {}

  public static Optional<String> of(HttpRequest request) {
    return request.getHeader("Authorization").map(HttpHeader::value)
        .filter(value -> value.toLowerCase(Locale.ROOT).startsWith(PREFIX))
        .map(value -> value.substring(PREFIX.length()).trim());
  }
}
