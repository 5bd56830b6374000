package io.herald.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.auth.TokenVerifier;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.log.EventLog;
import io.herald.core.model.Connection;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.profile.Command;
import io.herald.core.profile.Profile;
import io.herald.core.profile.ProfileContext;
import io.herald.core.profile.Profiles;
import io.herald.core.profile.Reply;
import io.herald.core.store.StatsStore;
import io.herald.core.store.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Client frames on an open connection: decode with the connection's profile, act, answer through
 * the Management API. Client mistakes become the profile's error frame; nothing here throws for them.
 */
public final class SessionService {
    private final ConnectionRegistry registry;
    private final TokenVerifier verifier;
    private final Profiles profiles;
    private final AccessPolicy policy;
    private final PublishService publisher;
    private final Delivery delivery;
    private final HeraldConfig config;
    private final EventLog log;
    private final ProfileContext runtime;

    SessionService(ConnectionRegistry registry, TokenVerifier verifier, Profiles profiles, AccessPolicy policy,
            PublishService publisher, Delivery delivery, HeraldConfig config, EventLog log, ProfileContext runtime) {
        this.runtime = runtime;
        this.registry = registry;
        this.verifier = verifier;
        this.profiles = profiles;
        this.policy = policy;
        this.publisher = publisher;
        this.delivery = delivery;
        this.config = config;
        this.log = log;
    }

    public void onMessage(String connectionId, String body, Instant now) {
        Optional<Connection> found = registry.connections().get(connectionId, now);
        if (found.isEmpty()) {
            // expired or already forgotten: a late frame of a closing socket, or a socket whose row a
            // cleanup removed while it stayed open. Such a socket would never receive again, so close
            // it (410 when it is already closing): its client reconnects and is stored afresh.
            boolean closed = delivery.disconnect(connectionId);
            log.log(EventLog.line("message_for_unknown_connection").put("connectionId", connectionId).put("closed", closed));
            return;
        }
        Connection c = found.get();
        Profile profile = profiles.get(c.profile());
        Command cmd = body != null && body.getBytes(StandardCharsets.UTF_8).length > config.maxClientMessageBytes()
                ? new Command.Invalid(400, "Message too large: limit is " + config.maxClientMessageBytes() + " bytes", null, "too_large")
                : profile.decode(body == null ? "" : body);
        if (profile.requiresAuth(cmd) && !c.authenticated()) {
            reply(c, profile, Reply.Error.of(401, "Authentication required"), now);
            return;
        }
        if (cmd instanceof Command.Auth a) {
            authenticate(c, profile, a.token(), now);
        } else if (cmd instanceof Command.Subscribe s) {
            subscribe(c, profile, s, now);
        } else if (cmd instanceof Command.Unsubscribe u) {
            registry.unsubscribe(c, u.pattern());
            reply(c, profile, new Reply.Unsubscribed(u.echo()), now);
        } else if (cmd instanceof Command.Publish p) {
            publish(c, profile, p, now);
        } else if (cmd instanceof Command.Ping) {
            reply(c, profile, new Reply.Pong(), now);
        } else if (cmd instanceof Command.GetStats) {
            Map<String, Long> s = registry.stats().read();
            reply(c, profile, new Reply.Stats(
                    s.getOrDefault(StatsStore.perProfile(StatsStore.CONNECTIONS, profile.name()), 0L),
                    s.getOrDefault(StatsStore.perProfile(StatsStore.SUBSCRIPTIONS, profile.name()), 0L)), now);
        } else if (cmd instanceof Command.Own own) {
            runtime.run(profile.handle(own, c, runtime, now), now);
        } else if (cmd instanceof Command.Invalid bad) {
            // the field and issue, never the message: it may quote what the client sent (a token pasted anywhere)
            log.log(EventLog.line("client_error").put("connectionId", c.id()).put("profile", profile.name())
                    .put("code", bad.code()).put("field", bad.field()).put("issue", bad.issue()));
            reply(c, profile, new Reply.Error(bad.code(), bad.message(), bad.field(), bad.issue()), now);
        }
    }

    private void authenticate(Connection c, Profile profile, String token, Instant now) {
        Identity id;
        try {
            id = verifier.verify(token);
        } catch (IssuerUnavailableException e) {
            // the token may well be good: say so, and never close the connection for it
            reply(c, profile, Reply.Error.of(503, e.getMessage()), now);
            return;
        } catch (InvalidTokenException e) {
            reply(c, profile, new Reply.AuthFailed(e.getMessage()), now);
            if (profile.closeOnAuthFailure()) runtime.close(c, "invalid_token", 1008, now);
            return;
        }
        if (c.authenticated() && !c.userId().equals(id.userId())) {
            // switching users would leave subscriptions authorized for the previous one
            reply(c, profile, Reply.Error.of(403, "Connection already authenticated as another user"), now);
            return;
        }
        Map<String, String> attrs = new HashMap<>(c.attributes());
        if (id.email() != null) attrs.put("email", id.email());
        if (!registry.authenticate(c, id.userId(), attrs)) return;
        reply(c, profile, new Reply.AuthSucceeded(id), now);
        if (!c.authenticated()) {
            Connection signedIn = new Connection(c.id(), id.userId(), c.profile(), c.connectedAt(), c.sourceIp(), c.userAgent(),
                    attrs, c.expiresAt());
            runtime.run(profile.authenticated(signedIn, id, runtime, now), now);
        }
    }

    private void subscribe(Connection c, Profile profile, Command.Subscribe s, Instant now) {
        for (SubscriptionSpec spec : s.specs()) {
            if (!policy.canSubscribe(c.userId(), spec.pattern())) {
                reply(c, profile, new Reply.Error(403, "Forbidden: cannot subscribe to " + spec.pattern(), "topic", "forbidden"), now);
                return;
            }
        }
        if (s.specs().size() > config.subscriptionLimit()) {
            reply(c, profile, Reply.Error.of(400, "Subscription limit of " + config.subscriptionLimit() + " reached"), now);
            return;
        }
        if (s.replaceAll()) registry.unsubscribeAll(c);
        for (SubscriptionSpec spec : s.specs()) {
            SubscriptionStore.AddResult r = registry.subscribe(c, spec, config.subscriptionLimit(), now);
            if (r == SubscriptionStore.AddResult.LIMIT_REACHED) {
                reply(c, profile, Reply.Error.of(400, "Subscription limit of " + config.subscriptionLimit() + " reached"), now);
                return;
            }
            if (r == SubscriptionStore.AddResult.CONNECTION_GONE) return;
            if (r == SubscriptionStore.AddResult.BUSY) {
                reply(c, profile, Reply.Error.of(503, "Subscription not stored: busy, try again"), now);
                return;
            }
        }
        reply(c, profile, new Reply.Subscribed(s.echo()), now);
    }

    private void publish(Connection c, Profile profile, Command.Publish p, Instant now) {
        if (!policy.canPublish(c.userId(), p.topic())) {
            reply(c, profile, new Reply.Error(403, "Forbidden: cannot publish to " + p.topic(), "topic", "forbidden"), now);
            return;
        }
        if (publisher.reservedForBackends(p.type())) {
            // conversation.* would replace members or post system messages: a backend's right only
            reply(c, profile, new Reply.Error(403, "Forbidden: type " + p.type() + " is reserved to backends", "type", "forbidden"), now);
            return;
        }
        ObjectNode metadata = profile.publicationMetadata(c, p.metadata());
        try {
            publisher.publish(new Publication(null, p.type(), List.of(p.topic()), p.data(), metadata), now);
        } catch (InvalidPublicationException e) {
            reply(c, profile, Reply.Error.of(400, e.getMessage()), now);
        }
    }

    private void reply(Connection c, Profile profile, Reply r, Instant now) {
        String frame = profile.render(r, c, now);
        if (frame == null) return;
        ConnectionNotifier.Outcome o = delivery.sendOne(c.id(), frame.getBytes(StandardCharsets.UTF_8));
        if (o != ConnectionNotifier.Outcome.DELIVERED) {
            log.log(EventLog.line("reply_undelivered").put("connectionId", c.id()).put("outcome", o.name()));
        }
    }
}
