package io.herald.core.store;

import java.time.Instant;

/** Remembers publication ids for a while so retried triggers deliver once. */
public interface PublicationLedger {
    /** Atomically records the id; false when it was already recorded (a duplicate). */
    boolean claim(String publicationId, Instant now);
}
