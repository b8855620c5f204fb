package io.herald.load.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.infra.solr.SolrNode;
import io.herald.load.check.CassandraJournal;
import io.herald.load.report.FaultMarker;
import io.herald.load.report.TimelineSample;
import io.herald.load.sim.TrafficMix;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * kill -9 of Solr under chat and telemetry load, started again after the hold. The write path must not notice (acks
 * and chat pushes go on while Solr is down), search must say so (503 with Retry-After, never a wrong answer), and once
 * Solr is back the search projection must catch up: every chat message of the journal indexed once, nothing missing
 * or doubled, within {@link FaultTimings#searchCatchUp()}.
 *
 * <p>Evidence (summary.json {@code fault_evidence}): {@code search_status_before_kill}, {@code searches_before_kill};
 * {@code probes_while_down},
 * {@code probes_503_retry_after}; {@code solr_down_ms} (kill to healthy again); {@code solr_down_seconds}, {@code
 * solr_down_offered}, {@code solr_down_acked}, {@code solr_down_pushed} (the timeline's whole seconds of the
 * outage); {@code search_backlog} (chat messages journaled when Solr was back) and {@code search_catch_up_ms} (Solr
 * healthy to all of them searchable; -1: not within the bound); {@code search_journaled}, {@code search_indexed_once},
 * {@code search_missing}, {@code search_doubled}, {@code search_unexpected} (the whole run, after the load), {@code
 * search_endpoint_found_once} (each journaled message asked for by its words through the endpoint, as its sender).
 */
final class SolrKill implements Fault {

  /**
   * Chat beside telemetry, 9 to 1: the conversations are what the search projection indexes. In blocks of 10 (not
   * 90 to 10, whose blocks of 100 arrivals per device would send every chat message of 20 seconds in its first 2),
   * so that chat is sent throughout, the outage included.
   */
  static final TrafficMix MIX = new TrafficMix(9, 0, 1, 5);
  /** Not a member of any conversation: a 200 finds nothing, and what matters is the status. */
  private static final String PROBE_USER = "chaos-search-probe";
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
  /** Before the kill, search must work: asked until it answers 200, this long (a busy machine times a search out). */
  private static final Duration SEARCH_WORKS_WITHIN = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(500);
  /**
   * After the load: the bound on the last messages becoming searchable (the projection groups for 100 ms, Solr
   * soft-commits within 0.5 s; the target is 2 s from the ack), for a busy machine.
   */
  private static final Duration SETTLE = Duration.ofSeconds(30);
  /** A user's search rate answers 429 past its burst: the wait before asking again, at most this often. */
  private static final int RATE_LIMITED_ATTEMPTS = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FaultTimings timings;

  SolrKill(FaultTimings timings) {
    this.timings = timings;
  }

  @Override
  public String name() {
    return "solr-kill";
  }

  @Override
  public String description() {
    return "kill -9 of Solr under chat and telemetry load, started again after the hold (10 s); search answers 503,"
        + " acks and pushes go on, the projection catches up";
  }

  @Override
  public boolean needsSearch() {
    return true;
  }

  @Override
  public TrafficMix mix() {
    return MIX;
  }

  @Override
  public Optional<String> cannotRunBecause(ChaosCluster cluster) {
    return cluster.solr().isPresent() ? Optional.empty() : Optional.of("the cluster runs no Solr (chat search off)");
  }

  @Override
  public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
    SolrNode solr = cluster.solr().orElseThrow();
    long killed;
    try (var endpoint = new SearchEndpointClient(cluster.httpEndpoints(), cluster.jwtSecret())) {
      var before = endpoint.search(0, PROBE_USER, Map.of("q", "probe"));
      long tries = 1;
      for (long until = System.nanoTime() + SEARCH_WORKS_WITHIN.toNanos();
          before.status() != 200 && System.nanoTime() < until; tries++) {
        TimeUnit.NANOSECONDS.sleep(PROBE_INTERVAL.toNanos()); // the probes' pace
        before = endpoint.search((int) (tries % endpoint.nodeCount()), PROBE_USER, Map.of("q", "probe"));
      }
      log.evidence("search_status_before_kill", before.status());
      log.evidence("searches_before_kill", tries);
      if (before.status() != 200) {
        log.problem("search did not answer 200 within " + SEARCH_WORKS_WITHIN + " before Solr was killed: "
            + before.status() + " " + before.body());
      }
      log.injected("SIGKILL Solr, held down " + timings.hold().toMillis() + " ms");
      killed = System.nanoTime();
      solr.kill();
      probeWhileDown(endpoint, killed + timings.hold().toNanos(), log);
    }
    solr.start(); // returns once Solr is healthy again
    long back = System.nanoTime();
    log.healed("Solr started again and healthy");
    log.evidence("solr_down_ms", TimeUnit.NANOSECONDS.toMillis(back - killed));
    awaitCatchUp(cluster, load, back, log);
    cluster.awaitWhole(timings.healTimeout());
  }

  /** Asks each node in turn until {@code untilNanos}: every answer must be 503 with Retry-After. */
  private static void probeWhileDown(SearchEndpointClient endpoint, long untilNanos, FaultLog log)
      throws InterruptedException {
    long probes = 0;
    long unavailable = 0;
    var wrong = new ArrayList<String>();
    for (int node = 0; System.nanoTime() < untilNanos; node = (node + 1) % endpoint.nodeCount()) {
      var answer = endpoint.search(node, PROBE_USER, Map.of("q", "probe"));
      probes++;
      if (answer.status() == 503 && answer.retryAfter().isPresent()) {
        unavailable++;
      } else if (wrong.size() < SearchCheck.MAX_EXAMPLES) {
        wrong.add("node " + node + ": " + answer.status() + " " + answer.retryAfter().map(r -> "Retry-After " + r)
            .orElse("no Retry-After") + " " + answer.body());
      }
      long sleep = Math.min(PROBE_INTERVAL.toNanos(), untilNanos - System.nanoTime());
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep); // the probes' pace, and the hold's end
      }
    }
    log.evidence("probes_while_down", probes);
    log.evidence("probes_503_retry_after", unavailable);
    if (probes == 0) {
      log.problem("the search endpoint was not asked while Solr was down");
    } else if (unavailable < probes) {
      log.problem((probes - unavailable) + " of " + probes + " searches while Solr was down did not answer 503 with"
          + " Retry-After, e.g. " + wrong);
    }
  }

  /**
   * Every chat message the journal holds now, Solr being back, must become searchable within the catch-up bound:
   * the outage's backlog. Records how long that took.
   */
  private void awaitCatchUp(ChaosCluster cluster, LoadUnderFault load, long back, FaultLog log) {
    var index = new ChatIndex(cluster.solr().orElseThrow().baseUrl());
    List<SearchCheck.Journaled> backlog;
    try (var journal = openJournal(cluster)) {
      backlog = journaled(journal, load.conversationIds());
    }
    log.evidence("search_backlog", backlog.size());
    long deadline = back + timings.searchCatchUp().toNanos();
    SearchCheck.Comparison last = null;
    String lastError = null;
    while (true) {
      try {
        last = SearchCheck.compare(backlog, indexed(index, load.conversationIds()));
        lastError = null;
        if (last.missing() == 0) {
          log.evidence("search_catch_up_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
          return;
        }
      } catch (RuntimeException e) {
        lastError = e.toString();
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      sleep(POLL);
    }
    log.evidence("search_catch_up_ms", -1);
    log.problem("the search projection did not catch up within " + timings.searchCatchUp() + " of Solr's return: "
        + (last == null ? "the index could not be read: " + lastError
            : last.missing() + " of " + backlog.size() + " chat messages journaled by then not searchable, e.g. "
                + last.examples()));
  }

  @Override
  public void judge(ChaosCluster cluster, LoadUnderFault load, List<TimelineSample> timeline, FaultLog log)
      throws InterruptedException {
    var markers = log.markers();
    var down = markers.stream().filter(m -> m.kind() == FaultMarker.Kind.INJECTED).findFirst();
    var up = markers.stream().filter(m -> m.kind() == FaultMarker.Kind.HEALED).findFirst();
    if (down.isPresent() && up.isPresent()) {
      var window = OutageWindow.of(timeline, down.get().atS(), up.get().atS(), load.offering().toMillis() / 1000.0);
      log.evidence("solr_down_seconds", window.seconds());
      log.evidence("solr_down_offered", window.offered());
      log.evidence("solr_down_acked", window.acked());
      log.evidence("solr_down_pushed", window.pushed());
      window.problems(Recovery.ACK_RATIO, MIX.hasChat(), "Solr").forEach(log::problem);
    } else {
      log.problem("Solr's outage has no start or no end in the fault log: the outage cannot be judged");
    }
    if (cluster.solr().map(solr -> solr.pid().isEmpty()).orElse(true)) {
      log.problem("Solr is not running: the index cannot be checked");
      return;
    }
    List<SearchCheck.Journaled> journal;
    try (var reader = openJournal(cluster)) {
      journal = journaled(reader, load.conversationIds());
    }
    var comparison = settledComparison(new ChatIndex(cluster.solr().get().baseUrl()), journal, load, log);
    if (comparison == null) {
      return;
    }
    log.evidence("search_journaled", comparison.journaled());
    log.evidence("search_indexed_once", comparison.indexedOnce());
    log.evidence("search_missing", comparison.missing());
    log.evidence("search_doubled", comparison.doubled());
    log.evidence("search_unexpected", comparison.unexpected());
    if (comparison.journaled() == 0) {
      log.problem("no chat message in the journal: the run sent no chat, nothing to search for");
    }
    if (!comparison.exact()) {
      log.problem("the index does not hold every journaled chat message once: missing " + comparison.missing()
          + ", doubled " + comparison.doubled() + ", unexpected " + comparison.unexpected() + " of "
          + comparison.journaled() + ", e.g. " + comparison.examples());
    }
    askEndpoint(cluster, new ChatIndex(cluster.solr().get().baseUrl()), journal, log);
  }

  /** The index against the journal, asked again until exact or {@link #SETTLE} passes; null when never readable. */
  private static SearchCheck.Comparison settledComparison(ChatIndex index, List<SearchCheck.Journaled> journal,
      LoadUnderFault load, FaultLog log) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    SearchCheck.Comparison last = null;
    String lastError = null;
    while (true) {
      try {
        last = SearchCheck.compare(journal, indexed(index, load.conversationIds()));
        if (last.exact()) {
          return last;
        }
      } catch (RuntimeException e) {
        lastError = e.toString();
      }
      if (System.nanoTime() > deadline) {
        if (last == null) {
          log.problem("the search index could not be read after the run: " + lastError);
        }
        return last;
      }
      sleep(POLL);
    }
  }

  /**
   * Each journaled message, asked for through the search endpoint by its words in its conversation, as its sender
   * (a member), on the nodes in turn: found exactly once, that message.
   */
  private static void askEndpoint(ChaosCluster cluster, ChatIndex index, List<SearchCheck.Journaled> journal,
      FaultLog log) throws InterruptedException {
    long foundOnce = 0;
    var notFound = new ArrayList<String>();
    try (var endpoint = new SearchEndpointClient(cluster.httpEndpoints(), cluster.jwtSecret())) {
      int node = 0;
      for (var message : journal) {
        var answer = askRespectingRate(endpoint, node, message);
        node = (node + 1) % endpoint.nodeCount();
        if (SearchCheck.foundOnce(answer.status(), body(answer), message.messageId())) {
          foundOnce++;
        } else if (notFound.size() < SearchCheck.MAX_EXAMPLES) {
          notFound.add(message.messageId() + " (\"" + message.text() + "\", sender " + message.senderUserId() + "): "
              + answer.status() + " " + answer.body() + "; Solr holds " + describe(index, message.documentId()));
        }
      }
    }
    log.evidence("search_endpoint_found_once", foundOnce);
    if (foundOnce < journal.size()) {
      log.problem((journal.size() - foundOnce) + " of " + journal.size() + " chat messages not found exactly once"
          + " through GET /v1/search/messages, e.g. " + notFound);
    }
  }

  /** A 429 (the user's read rate) is waited out as its Retry-After says, a bounded number of times. */
  private static SearchEndpointClient.Answer askRespectingRate(SearchEndpointClient endpoint, int node,
      SearchCheck.Journaled message) throws InterruptedException {
    var params = Map.of("q", message.text(), "conversation_id", message.conversationId(), "limit", "2");
    var answer = endpoint.search(node, message.senderUserId(), params);
    for (int attempt = 1; answer.status() == 429 && attempt < RATE_LIMITED_ATTEMPTS; attempt++) {
      TimeUnit.SECONDS.sleep(answer.retryAfter().map(SolrKill::seconds).orElse(1L));
      answer = endpoint.search(node, message.senderUserId(), params);
    }
    return answer;
  }

  private static String describe(ChatIndex index, String documentId) {
    try {
      return index.describe(documentId);
    } catch (RuntimeException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static long seconds(String retryAfter) {
    try {
      return Math.max(1, Math.min(10, Long.parseLong(retryAfter.strip())));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static JsonNode body(SearchEndpointClient.Answer answer) {
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static CassandraJournal openJournal(ChaosCluster cluster) {
    return CassandraJournal.connect(cluster.cassandraAddress(), cluster.cassandra().localDatacenter(), "herald");
  }

  /** The chat messages the journals of these conversations hold, row by row. */
  private static List<SearchCheck.Journaled> journaled(CassandraJournal journal, List<String> conversationIds) {
    var messages = new ArrayList<SearchCheck.Journaled>();
    for (String conversation : conversationIds) {
      for (var message : journal.conversationMessages(conversation)) {
        var entry = message.entry();
        messages.add(new SearchCheck.Journaled(SearchCheck.documentId(entry.persistenceId(), entry.sequenceNr()),
            conversation, entry.messageId(), message.senderUserId(), message.text()));
      }
    }
    return messages;
  }

  private static List<SearchCheck.Indexed> indexed(ChatIndex index, List<String> conversationIds) {
    var documents = new ArrayList<SearchCheck.Indexed>();
    conversationIds.forEach(conversation -> documents.addAll(index.messages(conversation)));
    return documents;
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis()); // the poll's pace
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while polling the search index", e);
    }
  }
}
