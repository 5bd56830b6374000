package io.herald.core.service;

import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.auth.TokenVerifier;
import io.herald.core.log.EventLog;
import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.profile.Profile;
import io.herald.core.profile.Profiles;
import io.herald.core.store.SubscriptionStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * $connect: choose the profile, authenticate when a token is offered (or required), store the
 * connection and its initial subscriptions. Nothing is posted here: API Gateway answers 410 to a
 * post during $connect, so welcome frames go out from {@link LifecycleService}.
 *
 * <p>A refusal's reason is logged and sent back; it never repeats a header or query value, since
 * browsers that cannot set headers pass tokens in {@code Sec-WebSocket-Protocol} or the query.
 */
public final class ConnectService {
    private final ConnectionRegistry registry;
    private final TokenVerifier verifier;
    private final Profiles profiles;
    private final AccessPolicy policy;
    private final HeraldConfig config;
    private final EventLog log;

    public ConnectService(ConnectionRegistry registry, TokenVerifier verifier, Profiles profiles, AccessPolicy policy,
            HeraldConfig config, EventLog log) {
        this.registry = registry;
        this.verifier = verifier;
        this.profiles = profiles;
        this.policy = policy;
        this.config = config;
        this.log = log;
    }

    public ConnectResult connect(ConnectRequest req, Instant now) {
        ConnectResult r = decide(req, now);
        log.log(EventLog.line("connect").put("connectionId", req.connectionId()).put("status", r.status())
                .put("reason", r.reason()));
        return r;
    }

    private ConnectResult decide(ConnectRequest req, Instant now) {
        Profile profile;
        String subprotocol = null;
        String asked = req.query().get("protocol");
        if (asked != null) {
            Optional<Profile> p = profiles.find(asked);
            if (p.isEmpty()) return ConnectResult.rejected(400, "Unknown protocol; known: " + profiles.names());
            profile = p.get();
        } else if (req.headers().containsKey("sec-websocket-protocol")) {
            profile = null;
            for (String offered : req.headers().get("sec-websocket-protocol").split(",")) {
                Optional<Profile> p = profiles.find(offered.trim());
                if (p.isPresent()) {
                    profile = p.get();
                    subprotocol = p.get().name();
                    break;
                }
            }
            if (profile == null) {
                // never the offered values: clients put tokens there, and the reason is logged
                return ConnectResult.rejected(400, "No supported subprotocol offered; known: " + profiles.names());
            }
        } else {
            profile = profiles.defaultProfile();
        }

        Identity identity = null;
        String token = req.token();
        if (token != null) {
            try {
                identity = verifier.verify(token);
            } catch (InvalidTokenException e) {
                return ConnectResult.rejected(401, e.getMessage());
            } catch (IssuerUnavailableException e) {
                return ConnectResult.rejected(503, e.getMessage()); // not the client's fault: retry, not re-login
            }
        } else if (profile.tokenAtConnect() == Profile.TokenAtConnect.REQUIRED) {
            return ConnectResult.rejected(401, "Authentication required");
        }

        List<SubscriptionSpec> initial;
        Map<String, String> attributes = new HashMap<>();
        try {
            initial = profile.connectSubscriptions(req.query(), identity);
            attributes.putAll(profile.connectAttributes(req.query(), identity));
        } catch (IllegalArgumentException e) {
            return ConnectResult.rejected(400, e.getMessage());
        }
        String userId = identity == null ? null : identity.userId();
        for (SubscriptionSpec s : initial) {
            if (!policy.canSubscribe(userId, s.pattern())) return ConnectResult.rejected(403, "Forbidden topic " + s.pattern());
        }

        if (userId != null) {
            String limited = profile.refuseConnection(userId, now);
            if (limited != null) return ConnectResult.rejected(429, limited);
        }
        long expires = now.plus(config.connectionLifetime()).plus(config.ttlMargin()).getEpochSecond();
        Connection c = new Connection(req.connectionId(), userId, profile.name(), now, req.sourceIp(), req.userAgent(),
                attributes, expires);
        switch (registry.admit(c, config.maxConnectionsPerIp(), now)) {
            case IP_LIMIT -> {
                return ConnectResult.rejected(429, "Too many connections from " + req.sourceIp()
                        + " (limit " + config.maxConnectionsPerIp() + ")");
            }
            case USER_LIMIT -> {
                return ConnectResult.rejected(429, "Too many open connections for this user: close one first");
            }
            case ADMITTED -> { }
        }
        try {
            for (SubscriptionSpec s : initial) {
                SubscriptionStore.AddResult added = registry.subscribe(c, s, config.subscriptionLimit(), now);
                if (added == SubscriptionStore.AddResult.LIMIT_REACHED) break;
                // a connection without the subscriptions its URL asked for would wait for nothing; one
                // whose row a cleanup already removed would open deaf: refuse both, the client retries
                if (added == SubscriptionStore.AddResult.BUSY || added == SubscriptionStore.AddResult.CONNECTION_GONE) {
                    registry.forget(c.id());
                    return ConnectResult.rejected(503, "Busy: try connecting again");
                }
            }
        } catch (RuntimeException | Error e) {
            // $connect fails and no $disconnect will come: give back the row, its subscriptions and
            // the IP and user quota units now, not two hours later by TTL
            forgetQuietly(c.id(), e);
            throw e;
        }
        return ConnectResult.accepted(subprotocol);
    }

    private void forgetQuietly(String connectionId, Throwable cause) {
        try {
            registry.forget(connectionId);
        } catch (RuntimeException e) {
            cause.addSuppressed(e); // the TTL removes what is left
        }
    }
}
