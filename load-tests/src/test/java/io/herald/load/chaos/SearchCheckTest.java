package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search checker's comparison of the index with the journal, and its reading of an endpoint answer. */
class SearchCheckTest {

  private static final String PID = "Conversation|c1";

  private static SearchCheck.Journaled row(long seq, String messageId) {
    return new SearchCheck.Journaled(SearchCheck.documentId(PID, seq), "c1", messageId, "u1", "message " + seq);
  }

  private static SearchCheck.Indexed doc(long seq, String messageId) {
    return new SearchCheck.Indexed(SearchCheck.documentId(PID, seq), messageId);
  }

  @Test
  void theDocumentIdIsThePersistenceIdAndSequenceNumber() {
    assertEquals("Conversation|c1|7", SearchCheck.documentId(PID, 7));
  }

  @Test
  void everyJournaledMessageOnceIsExact() {
    var result = SearchCheck.compare(List.of(row(2, "a"), row(3, "b")), List.of(doc(3, "b"), doc(2, "a")));
    assertTrue(result.exact(), result.toString());
    assertEquals(2, result.journaled());
    assertEquals(2, result.indexedOnce());
    assertEquals(List.of(), result.examples());
  }

  @Test
  void aMessageNotIndexedIsMissing() {
    var result = SearchCheck.compare(List.of(row(2, "a"), row(3, "b"), row(4, "c")), List.of(doc(2, "a")));
    assertFalse(result.exact());
    assertEquals(2, result.missing());
    assertEquals(1, result.indexedOnce());
    assertTrue(result.examples().get(0).contains("message b"), result.examples().toString());
  }

  @Test
  void aDocumentHoldingAnotherMessageIsMissingItsOwn() {
    var result = SearchCheck.compare(List.of(row(2, "a")), List.of(doc(2, "z")));
    assertEquals(1, result.missing());
    assertEquals(0, result.indexedOnce());
    assertEquals(1, result.unexpected(), "z is in no journal row");
  }

  @Test
  void aJournaledMessageInASecondDocumentIsDoubled() {
    var result = SearchCheck.compare(List.of(row(2, "a"), row(3, "b")),
        List.of(doc(2, "a"), doc(3, "b"), doc(9, "a")));
    assertFalse(result.exact());
    assertEquals(1, result.doubled());
    assertEquals(0, result.missing());
    assertEquals(1, result.indexedOnce(), "a is found twice, b once");
  }

  @Test
  void aDocumentListedTwiceIsDoubled() {
    var result = SearchCheck.compare(List.of(row(2, "a")), List.of(doc(2, "a"), doc(2, "a")));
    assertEquals(1, result.doubled());
    assertEquals(0, result.indexedOnce());
  }

  @Test
  void aMessageTheJournalDoesNotHaveIsUnexpected() {
    var result = SearchCheck.compare(List.of(row(2, "a")), List.of(doc(2, "a"), doc(5, "q")));
    assertEquals(1, result.unexpected());
    assertEquals(0, result.doubled());
    assertFalse(result.exact());
  }

  @Test
  void aMessageTheJournalHoldsTwiceNeedsBothDocuments() {
    // A write-path duplicate (the invariant checker's finding) is two rows: the index mirrors the journal.
    var journal = List.of(row(2, "a"), row(3, "a"));
    assertTrue(SearchCheck.compare(journal, List.of(doc(2, "a"), doc(3, "a"))).exact());
    assertEquals(1, SearchCheck.compare(journal, List.of(doc(2, "a"))).missing());
  }

  @Test
  void examplesAreBounded() {
    var journal = new ArrayList<SearchCheck.Journaled>();
    for (int seq = 1; seq <= 50; seq++) {
      journal.add(row(seq, "m" + seq));
    }
    var result = SearchCheck.compare(journal, List.of());
    assertEquals(50, result.missing());
    assertEquals(SearchCheck.MAX_EXAMPLES, result.examples().size());
  }

  @Test
  void theEndpointFindsTheMessageOnceOnlyWithOneMatchingHit() throws Exception {
    var json = new ObjectMapper();
    var once = json.readTree("{\"messages\":[{\"message_id\":\"a\"}],\"found\":1,\"truncated\":false}");
    assertTrue(SearchCheck.foundOnce(200, once, "a"));
    assertFalse(SearchCheck.foundOnce(200, once, "b"), "another message");
    assertFalse(SearchCheck.foundOnce(503, once, "a"), "not a 200");
    var twice = json.readTree("{\"messages\":[{\"message_id\":\"a\"},{\"message_id\":\"a\"}],\"found\":2}");
    assertFalse(SearchCheck.foundOnce(200, twice, "a"), "found twice");
    var none = json.readTree("{\"messages\":[],\"found\":0}");
    assertFalse(SearchCheck.foundOnce(200, none, "a"));
    assertFalse(SearchCheck.foundOnce(200, json.createObjectNode(), "a"), "no found field");
  }
}
