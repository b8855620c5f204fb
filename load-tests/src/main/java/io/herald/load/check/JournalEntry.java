package io.herald.load.check;

/**
 * One event row of Herald's journal that applied a message: which entity incarnation wrote it (Pekko's writer uuid,
 * new for every start of an entity), at which sequence number, and when (the row's time-based uuid); and when the
 * gateway received the frame ({@code received_at_ms} of the event; 0 where the event has none). Two copies of one
 * message with different writers are two incarnations of the entity, each believing it was the single writer.
 */
public record JournalEntry(String messageId, String persistenceId, long sequenceNr, String writerUuid, long writtenAtMs,
    long receivedAtMs) {}
