package io.herald.core.store;

import java.time.Instant;

/**
 * Publication ids, so that a trigger's retry delivers an event once it has been fully fanned out
 * and never loses it before (the in-progress / completed pattern of Powertools' idempotency).
 *
 * <p>An id is claimed IN_PROGRESS until {@code inProgressUntil}, which must lie beyond the
 * function timeout: if the function dies mid fan-out, the claim lapses and a retry takes it over.
 * It is marked COMPLETED (kept for the dedup window) only after its fan-out finished, and released
 * when the fan-out failed, so the retry runs it again. A released id stays known as such for the
 * dedup window: its retry is told so ({@link Claim#RECLAIMED}) and looks up whom the failed attempt
 * reached, which a first attempt, the common case, does not pay for.
 */
public interface PublicationLedger {
    enum Claim {
        /** This caller owns the id now: fan out, then {@link #complete} or {@link #releaseClaim}. */
        CLAIMED,
        /**
         * As CLAIMED, and an earlier attempt released the id or died holding it: that attempt may
         * have reached some subscribers already.
         */
        RECLAIMED,
        /** Another attempt is fanning it out: fail retryably, the trigger tries again later. */
        IN_PROGRESS,
        /** Already delivered: a duplicate, deliver nothing. */
        COMPLETED
    }

    /** Atomically claims the id unless it is completed or claimed by a live attempt. */
    Claim claim(String publicationId, Instant now, Instant inProgressUntil);

    /** Marks a claimed id delivered; duplicates arriving within the dedup window deliver nothing. */
    void complete(String publicationId, Instant now);

    /**
     * Gives up this caller's claim (the one lapsing at {@code heldUntil}) after a failed fan-out,
     * so the trigger's retry claims it again (as RECLAIMED, within the dedup window from
     * {@code now}). Never touches a completed id, nor a claim another attempt took over after this
     * one's lapsed.
     */
    void releaseClaim(String publicationId, Instant heldUntil, Instant now);
}
