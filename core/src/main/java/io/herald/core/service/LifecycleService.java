package io.herald.core.service;

import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.log.EventLog;
import io.herald.core.model.Connection;
import io.herald.core.profile.Effect;
import io.herald.core.profile.Profile;
import io.herald.core.profile.ProfileContext;
import io.herald.core.profile.Profiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What follows a connect or a disconnect, off the $connect path: one connection per user, then
 * the profile's hooks (welcome frames, presence). On AWS this runs from the connections table's
 * stream (inserts, and removals by TTL); the disconnected hooks also run wherever the registry
 * forgets a connection.
 */
public final class LifecycleService {
    private final ConnectionRegistry registry;
    private final Profiles profiles;
    private final Delivery delivery;
    private final Delivery.Sleeper sleeper;
    private final EventLog log;
    private final ProfileContext runtime;

    LifecycleService(ConnectionRegistry registry, Profiles profiles, Delivery delivery, Delivery.Sleeper sleeper, EventLog log,
            ProfileContext runtime) {
        this.registry = registry;
        this.profiles = profiles;
        this.delivery = delivery;
        this.sleeper = sleeper;
        this.log = log;
        this.runtime = runtime;
    }

    /** A new connection was stored. */
    public void connected(Connection c, Instant now) throws InterruptedException {
        Profile profile = profiles.get(c.profile());
        if (profile.singleConnectionPerUser() && c.userId() != null && !keepNewest(c, now)) return;
        if (profile.reachedThroughUserIndex() && c.userId() != null) awaitIndexed(c, now);
        List<Effect> others = new ArrayList<>();
        for (Effect e : profile.connected(c, runtime, now)) {
            if (e instanceof Effect.Send s && s.connectionIds().equals(List.of(c.id()))) sendToNew(c, s.frame(), now);
            else others.add(e);
        }
        runtime.run(others, now);
    }

    /** Pauses between looks at the user index: up to 50 ms doubling to 800 ms (jittered), under 2.5 s in all. */
    static final RetryPolicy INDEX_LAG = new RetryPolicy(7, Duration.ofMillis(50), Duration.ofMillis(800));

    /**
     * Waits until the user index lists the new connection. Chat's seed says that after
     * connection:established the client can receive events, and chat finds a member's connections
     * through that index, which lags the row (typically well under a second): a message stored in
     * between was neither in the history the client read nor delivered live. Welcomed only once
     * listed, the client reads the history up to then and gets the rest live. Bounded: a lag past
     * it is logged and the welcome goes anyway. A connection past its connect window (a replayed
     * record) or no longer stored (closed already) is not waited for.
     */
    private void awaitIndexed(Connection c, Instant now) throws InterruptedException {
        Instant at = now;
        for (int look = 1; ; look++) {
            if (registry.connections().byUser(c.userId(), at).stream().anyMatch(o -> o.id().equals(c.id()))) return;
            // a replayed record, or a connection closed already: nothing to wait for
            if (!ConnectWindow.young(c, at) || !stored(c, at)) return;
            if (look == INDEX_LAG.maxAttempts()) {
                log.log(EventLog.line("user_index_lag").put("connectionId", c.id()).put("looks", look));
                return;
            }
            long pause = Math.max(1, INDEX_LAG.delayMillis(look));
            sleeper.sleep(pause);
            at = at.plusMillis(pause);
        }
    }

    /** Whether the connection's row is still there (no $disconnect or 410 forgot it meanwhile). */
    private boolean stored(Connection c, Instant at) {
        return registry.connections().get(c.id(), at).isPresent();
    }

    /** A frame for the new connection itself: a 410 while $connect has not returned is retried. */
    private void sendToNew(Connection c, String text, Instant now) throws InterruptedException {
        byte[] frame = text.getBytes(StandardCharsets.UTF_8);
        // a 410 while $connect has not returned yet; given up once the connection is old or forgotten
        ConnectionNotifier.Outcome o = ConnectWindow.retryWhileConnecting(c, now, sleeper, () -> delivery.sendOne(c.id(), frame),
                at -> stored(c, at));
        if (o == ConnectionNotifier.Outcome.GONE) log.log(EventLog.line("welcome_undelivered").put("connectionId", c.id()));
    }

    /**
     * One connection per user and profile: the newest stays. The byUser index lags, so of two
     * connections opening together the newer may not see the older; the older one, seeing a newer,
     * closes itself. Returns false when {@code c} itself was the one replaced.
     */
    private boolean keepNewest(Connection c, Instant now) throws InterruptedException {
        List<Connection> others = registry.connections().byUser(c.userId(), now).stream()
                .filter(o -> !o.id().equals(c.id()) && o.profile().equals(c.profile())).toList();
        Connection newer = others.stream().filter(o -> newer(o, c)).findFirst().orElse(null);
        if (newer != null) {
            replace(c, newer, now);
            return false;
        }
        // a close that keeps failing skips nothing: the older one is forgotten (it gets no more
        // events) and the loop goes on to the next
        for (Connection older : others) replace(older, c, now);
        return true;
    }

    private static boolean newer(Connection a, Connection b) {
        return a.connectedAt().isAfter(b.connectedAt()) || (a.connectedAt().equals(b.connectedAt()) && a.id().compareTo(b.id()) > 0);
    }

    private void replace(Connection old, Connection by, Instant now) throws InterruptedException {
        if (ConnectWindow.young(old, now) && closedThroughConnectWindow(old, now)) registry.forget(old.id());
        else runtime.close(old, "replaced_by_newer_connection", 1000, now);
        log.log(EventLog.line("replaced_connection").put("connectionId", old.id()).put("by", by.id()));
    }

    /**
     * A connection still in $connect answers DeleteConnection with 410, as it does posts; taken as
     * closed, it would be forgotten and its socket would then open with nothing behind it. So a
     * young one is closed through the connect window: a 410 is retried after a pause, like its
     * welcome. True once the close reached it; false when it was refused, stayed 410 past the
     * window, or has a farewell frame to send first (the usual close then runs).
     */
    private boolean closedThroughConnectWindow(Connection c, Instant now) throws InterruptedException {
        if (profiles.get(c.profile()).closingFrame(c, "replaced_by_newer_connection", 1000, now) != null) return false;
        return ConnectWindow.retryWhileConnecting(c, now, sleeper, () -> delivery.disconnectOne(c.id()), at -> true)
                == ConnectionNotifier.Outcome.DELIVERED;
    }

    /** $disconnect (or a 410) removed the connection; returns whether it was still known. */
    public boolean disconnected(String connectionId, Instant now) {
        return registry.forget(connectionId).isPresent();
    }

    /**
     * DynamoDB's TTL removed the connection's item: no $disconnect and no 410 ever forgot it, so
     * its profile's disconnected hook runs now (chat's user:offline, raffle's user_left). Its
     * subscriptions expire by their own TTL.
     */
    public void expired(Connection c, Instant now) {
        forgotten(c, now);
    }

    /** The registry forgot {@code c}, by whatever path: its profile's disconnected hook. */
    void forgotten(Connection c, Instant now) {
        runtime.run(profiles.get(c.profile()).disconnected(c, runtime, now), now);
    }
}
