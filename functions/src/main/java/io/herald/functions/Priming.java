package io.herald.functions;

import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.core.service.Services;
import java.time.Instant;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: before Lambda snapshots the initialized container, run the code paths an
 * invocation uses (JSON, every profile's renderer, the fan-out Queries; init already made one
 * GetItem), so restored containers start with those classes loaded and initialized.
 * Nothing is written; the read asks for a key that never exists.
 */
final class Priming implements Resource {
    /** CRaC holds resources weakly; this keeps ours alive. */
    private static Priming registered;

    private final Services services;

    private Priming(Services services) {
        this.services = services;
    }

    static synchronized void register(Services services) {
        if (registered != null) return;
        registered = new Priming(services);
        Core.getGlobalContext().register(registered);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime(services);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to renew: SDK clients reconnect on their own, tokens are verified per request
    }

    static void prime(Services services) {
        Instant now = Instant.now();
        Publication p = services.codec.read(Json.parse("{\"type\":\"priming\",\"topics\":[\"users.priming\"],\"data\":{\"id\":1}}"));
        for (String name : services.profiles.names()) services.profiles.get(name).renderEvent(p, "users.priming", now);
        try {
            // the GetItem path is already warm: Herald.fromEnv read a key that never exists
            services.registry.subscriptions().candidates("priming.topic", now);
        } catch (RuntimeException e) {
            // priming must never stop a snapshot; a failure here only costs warmth
        }
    }
}
