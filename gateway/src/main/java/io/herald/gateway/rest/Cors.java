package io.herald.gateway.rest;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cross-origin reads from browsers (the Fetch standard's CORS) for the REST reads: a page of an allowed origin may
 * GET them with an {@code Authorization} header. Allowed origins are listed exactly ({@code https://app.example.com});
 * {@code *} allows every origin, which is safe here because the reads need a bearer token and no cookie is ever
 * used. No origin is allowed by default.
 */
final class Cors {

  /** What a page may send and read besides the CORS-safelisted headers. */
  private static final String ALLOWED_HEADERS = "Authorization";
  private static final String EXPOSED_HEADERS = "Retry-After, Age";

  private final Set<String> allowedOrigins;
  private final boolean anyOrigin;
  private final String maxAgeSeconds;

  Cors(List<String> allowedOrigins, Duration maxAge) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.allowedOrigins = Set.copyOf(allowedOrigins);
    this.maxAgeSeconds = Long.toString(maxAge.toSeconds());
  }

  /**
   * A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}): {@code 204} with the permissions when
   * its origin is allowed and it asks for GET with at most an Authorization header, else {@code 403} without them.
   */
  Route preflight() {
    return extractRequest(request -> {
      Optional<String> origin = allowed(request);
      String method = header(request, "Access-Control-Request-Method").orElse("");
      boolean headersAllowed = header(request, "Access-Control-Request-Headers").map(Cors::onlyAuthorization)
          .orElse(true);
      if (origin.isEmpty() || !method.equals(HttpMethods.GET.value()) || !headersAllowed) {
        return complete(HttpResponse.create().withStatus(StatusCodes.FORBIDDEN));
      }
      return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
          RawHeader.create("Access-Control-Allow-Origin", origin.get()),
          RawHeader.create("Access-Control-Allow-Methods", "GET"),
          RawHeader.create("Access-Control-Allow-Headers", ALLOWED_HEADERS),
          RawHeader.create("Access-Control-Max-Age", maxAgeSeconds),
          RawHeader.create("Vary", "Origin"))));
    });
  }

  /** The answers of {@code inner} readable by a page of an allowed origin (others get no CORS headers). */
  Route allowReads(Supplier<Route> inner) {
    return extractRequest(request -> {
      Optional<String> origin = allowed(request);
      List<HttpHeader> headers = origin.<List<HttpHeader>>map(allowed -> List.of(
          RawHeader.create("Access-Control-Allow-Origin", allowed),
          RawHeader.create("Access-Control-Expose-Headers", EXPOSED_HEADERS),
          RawHeader.create("Vary", "Origin"))).orElse(List.of(RawHeader.create("Vary", "Origin")));
      return respondWithHeaders(headers, inner);
    });
  }

  private Optional<String> allowed(HttpRequest request) {
    return header(request, "Origin").filter(origin -> anyOrigin || allowedOrigins.contains(origin));
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value);
  }

  private static boolean onlyAuthorization(String requested) {
    for (String name : requested.split(",")) {
      String trimmed = name.trim().toLowerCase(Locale.ROOT);
      if (!trimmed.isEmpty() && !trimmed.equals("authorization")) {
        return false;
      }
    }
    return true;
  }
}
