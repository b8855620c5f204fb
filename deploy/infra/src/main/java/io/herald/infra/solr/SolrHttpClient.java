package io.herald.infra.solr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Solr's HTTP API from Herald's side, on the JDK's HTTP client and Jackson, so that SolrJ and its dependencies stay
 * out of Herald's classpath: configsets, collections, indexing and search.
 *
 * <p>Every call is bounded: by the request timeout (plus half a second for the whole exchange, body included), and by
 * {@link #MAX_RESPONSE_BYTES} for what it reads. Failures are
 * typed: {@link SolrUnavailableException} when Solr cannot answer now (not reachable, timed out, 503), {@link
 * SolrRequestException} when it refused the request. Calls block the calling thread.
 */
public final class SolrHttpClient {

    /** The most a response may hold; a search pages with {@code rows}, so more means a mistake, not a big answer. */
    public static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much longer than the request timeout a whole exchange, body included, may take. */
    private static final long DEADLINE_GRACE_MILLIS = 500;

    private final String baseUrl;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param baseUrl        e.g. {@code http://127.0.0.1:8983/solr} ({@link SolrNode#baseUrl()})
     * @param requestTimeout the longest a call waits for Solr, connecting included
     */
    public SolrHttpClient(String baseUrl, Duration requestTimeout) {
        this.baseUrl = Objects.requireNonNull(baseUrl).replaceAll("/+$", "");
        this.requestTimeout = Objects.requireNonNull(requestTimeout);
        // HTTP/1.1: one exchange per connection at a time, no h2c upgrade whose failures a Solr restart could leave
        // half-done on a shared connection.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout).build();
    }

    /** Uploads the configset to ZooKeeper, replacing a configset of that name (collections using it need a RELOAD). */
    public void uploadConfigset(SolrConfigset configset) {
        send(HttpRequest.newBuilder(uri("/admin/configs", "action", "UPLOAD", "name", configset.name(),
                        "overwrite", "true", "wt", "json"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(configset.zip())));
    }

    /** The names of the collections in the cluster. */
    public List<String> collections() {
        JsonNode answer = send(HttpRequest.newBuilder(uri("/admin/collections", "action", "LIST", "wt", "json")).GET());
        List<String> names = new ArrayList<>();
        answer.path("collections").forEach(name -> names.add(name.asText()));
        return names;
    }

    /** The nodes live in the cluster (registered in ZooKeeper), e.g. {@code 127.0.0.1:8983_solr}. */
    public List<String> liveNodes() {
        JsonNode answer = send(HttpRequest.newBuilder(uri("/admin/collections", "action", "CLUSTERSTATUS",
                "wt", "json")).GET());
        List<String> nodes = new ArrayList<>();
        answer.path("cluster").path("live_nodes").forEach(node -> nodes.add(node.asText()));
        return nodes;
    }

    /**
     * Creates the collection unless it exists, and waits until all its replicas are active.
     *
     * @return whether it was created (false: it existed already, whatever its shards)
     */
    public boolean createCollection(String name, String configset, int shards, int replicationFactor) {
        if (collections().contains(name)) {
            return false;
        }
        send(HttpRequest.newBuilder(uri("/admin/collections", "action", "CREATE", "name", name,
                "collection.configName", configset, "numShards", Integer.toString(shards),
                "replicationFactor", Integer.toString(replicationFactor), "waitForFinalState", "true",
                "wt", "json")).GET());
        return true;
    }

    /**
     * Adds or replaces documents (same {@code id}, same document). Solr has them in its transaction log when this
     * returns; they become searchable with the collection's next soft commit (configset herald-chat: within 0.5 s).
     */
    public void index(String collection, List<Map<String, Object>> documents) {
        update(collection, documents, "wt", "json");
    }

    /**
     * As {@link #index}, followed by a hard commit in the same request (no new searcher: visibility stays with the
     * soft commit): when this returns the documents are in the index itself, not only in the transaction log. A
     * SolrCloud leader restarted after a kill answers (real-time gets included) before it has replayed its
     * transaction log, so until then a reader may see an older version of a document, or none, for a while; what a
     * hard commit took is seen at once after any restart.
     */
    public void indexAndCommit(String collection, List<Map<String, Object>> documents) {
        update(collection, documents, "commit", "true", "openSearcher", "false", "waitSearcher", "false", "wt", "json");
    }

    /** Deletes every document of the collection, committed (hard, and visible) when this returns. */
    public void deleteAllAndCommit(String collection) {
        update(collection, Map.of("delete", Map.of("query", "*:*")), "commit", "true", "wt", "json");
    }

    private void update(String collection, Object commands, String... params) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(commands);
        } catch (IOException e) {
            throw new IllegalArgumentException("documents are not serializable as JSON", e);
        }
        send(HttpRequest.newBuilder(uri("/" + collection + "/update", params))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /**
     * The latest version of the documents with these ids, committed or not (Solr's real-time get, {@code /get}):
     * what an update that returned has written is seen at once, without waiting for a commit.
     *
     * @return the documents found, in no particular order
     */
    public List<JsonNode> realTimeGet(String collection, List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        // One id parameter per id: an id may hold the comma that "ids" would split on.
        List<String> params = new ArrayList<>();
        ids.forEach(id -> params.addAll(List.of("id", id)));
        params.addAll(List.of("wt", "json"));
        JsonNode answer = send(HttpRequest.newBuilder(uri("/" + collection + "/get", params.toArray(String[]::new)))
                .GET());
        List<JsonNode> docs = new ArrayList<>();
        // One id: Solr answers {"doc": {...} or null}; several: {"response": {"docs": [...]}}.
        if (answer.has("doc")) {
            if (answer.get("doc").isObject()) {
                docs.add(answer.get("doc"));
            }
        } else {
            answer.path("response").path("docs").forEach(docs::add);
        }
        return docs;
    }

    /**
     * Runs a search on the collection's {@code /select} handler.
     *
     * @param params name, value, name, value... (a name may repeat, e.g. {@code fq})
     * @return Solr's {@code response} object: {@code numFound}, {@code docs}
     */
    public JsonNode select(String collection, String... params) {
        List<String> all = new ArrayList<>(List.of(params));
        all.addAll(List.of("wt", "json"));
        return send(HttpRequest.newBuilder(uri("/" + collection + "/select", all.toArray(String[]::new))).GET())
                .path("response");
    }

    private URI uri(String path, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come as name, value pairs");
        }
        StringBuilder uri = new StringBuilder(baseUrl).append(path);
        for (int i = 0; i < params.length; i += 2) {
            uri.append(i == 0 ? '?' : '&')
                    .append(URLEncoder.encode(params[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return URI.create(uri.toString());
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(requestTimeout).build();
        // The request timeout covers the wait for the headers only: the whole exchange, body included, gets a deadline
        // of its own, so that no call outlives it (a call made while Solr was starting once blocked for minutes).
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(built, info -> bounded());
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(requestTimeout.toMillis() + DEADLINE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new SolrUnavailableException("Solr at " + baseUrl + " did not answer " + built.method() + " "
                    + built.uri().getPath() + " within " + requestTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            // Refused, reset, or timed out (HttpTimeoutException is an IOException): Solr cannot answer now.
            throw new SolrUnavailableException("Solr at " + baseUrl + " did not answer " + built.method() + " "
                    + built.uri().getPath() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new SolrUnavailableException("interrupted while waiting for Solr at " + baseUrl, e);
        }
        byte[] body = response.body();
        if (body.length > MAX_RESPONSE_BYTES) {
            throw new SolrRequestException(response.statusCode(), "Solr's answer to " + built.uri().getPath()
                    + " exceeds " + MAX_RESPONSE_BYTES + " bytes");
        }
        int status = response.statusCode();
        if (status == 503) {
            throw new SolrUnavailableException("Solr at " + baseUrl + " is unavailable (503): " + errorMessage(body));
        }
        if (status / 100 != 2) {
            throw new SolrRequestException(status, "Solr refused " + built.method() + " " + built.uri().getPath()
                    + " (" + status + "): " + errorMessage(body));
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new SolrRequestException(status, "Solr's answer to " + built.uri().getPath() + " is not JSON: " + e);
        }
    }

    /** The body, or its first {@code MAX_RESPONSE_BYTES + 1} bytes: reading stops there. */
    private static HttpResponse.BodySubscriber<byte[]> bounded() {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<byte[]> body = new CompletableFuture<>();
            private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                for (ByteBuffer buffer : buffers) {
                    int take = Math.min(buffer.remaining(), MAX_RESPONSE_BYTES + 1 - bytes.size());
                    byte[] chunk = new byte[take];
                    buffer.get(chunk);
                    bytes.write(chunk, 0, take);
                }
                if (bytes.size() > MAX_RESPONSE_BYTES) {
                    subscription.cancel();
                    body.complete(bytes.toByteArray());
                }
            }

            @Override
            public void onError(Throwable failure) {
                body.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                body.complete(bytes.toByteArray());
            }
        };
    }

    private static String errorMessage(byte[] body) {
        try {
            JsonNode msg = JSON.readTree(body).path("error").path("msg");
            if (!msg.isMissingNode()) {
                return msg.asText();
            }
        } catch (IOException e) {
            // not JSON: show the start of it
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
