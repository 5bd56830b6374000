package io.herald.core.service;

import io.herald.core.auth.TokenVerifier;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.model.PublicationCodec;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.policy.Membership;
import io.herald.core.profile.Profiles;
import io.herald.core.routing.TopicRouter;
import io.herald.core.store.PublicationLedger;
import java.time.Clock;

/**
 * Every use case, built once from the ports. The Lambda composition root and the tests both
 * build Herald through here, so they cannot drift apart.
 */
public final class Services {
    public final Clock clock;
    public final HeraldConfig config;
    public final PublicationCodec codec;
    public final TokenVerifier verifier;
    public final ConnectionRegistry registry;
    public final ConnectService connect;
    public final SessionService sessions;
    public final PublishService publisher;
    public final LifecycleService lifecycle;
    /** Runs tree fan-out tasks; refuses them when no fan-out queue was given. */
    public final FanOutService fanOut;
    public final Profiles profiles;

    public Services(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log, Delivery.Sleeper sleeper) {
        this(clock, config, registry, ledger, notifier, verifier, log, sleeper, FanOutPorts.NONE);
    }

    /** @param tree the fan-out queue and its stores; {@link FanOutPorts#NONE}: every fan-out inline */
    public Services(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log, Delivery.Sleeper sleeper, FanOutPorts tree) {
        this.clock = clock;
        this.config = config;
        this.verifier = verifier;
        this.registry = registry;
        this.profiles = Profiles.standard(config.defaultProfile());
        AccessPolicy policy = config.policyJson() == null ? AccessPolicy.defaults()
                : AccessPolicy.parse(config.policyJson(), Membership.NONE);
        this.codec = new PublicationCodec(config.routesJson() == null ? TopicRouter.defaults() : TopicRouter.parse(config.routesJson()));
        Delivery delivery = new Delivery(notifier, RetryPolicy.DEFAULT, config.fanoutConcurrency(), sleeper);
        this.publisher = new PublishService(registry, ledger, delivery, profiles, policy, config, log, tree);
        this.fanOut = new FanOutService(publisher, registry.subscriptions(), tree, config, log);
        this.connect = new ConnectService(registry, verifier, profiles, policy, config, log);
        this.sessions = new SessionService(registry, verifier, profiles, policy, publisher, delivery, config, log);
        this.lifecycle = new LifecycleService(registry, profiles, publisher, delivery, sleeper, log);
    }
}
