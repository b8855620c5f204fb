package io.herald.gateway.rest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The last good answer of each recent read, kept so that a read whose entity cannot answer (Cassandra down, the
 * entity moving after a node died) is served from memory, flagged stale, instead of failing (RFC 5861's
 * stale-if-error). Bounded: at most {@code maxEntries} answers, least recently used out first; none older than
 * {@code maxAge}. Shared by the HTTP server's threads, so every access holds the monitor.
 */
final class StaleIfError<T> {

  private record Kept<T>(T answer, long storedAtNanos) {}

  /** An answer from memory and how old it is. */
  record Stale<T>(T answer, Duration age) {}

  private final Duration maxAge;
  private final LongSupplier nanoTime;
  private final LinkedHashMap<Object, Kept<T>> answers;

  StaleIfError(int maxEntries, Duration maxAge, LongSupplier nanoTime) {
    this.maxAge = maxAge;
    this.nanoTime = nanoTime;
    this.answers = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, Kept<T>> eldest) {
        return size() > maxEntries;
      }
    };
  }

  synchronized void keep(Object key, T answer) {
    answers.put(key, new Kept<>(answer, nanoTime.getAsLong()));
  }

  synchronized Optional<Stale<T>> lastGood(Object key) {
    var kept = answers.get(key);
    if (kept == null) {
      return Optional.empty();
    }
    var age = Duration.ofNanos(nanoTime.getAsLong() - kept.storedAtNanos());
    if (age.compareTo(maxAge) > 0) {
      answers.remove(key);
      return Optional.empty();
    }
    return Optional.of(new Stale<>(kept.answer(), age));
  }
}
