package io.herald.core.service;

import io.herald.core.auth.TokenVerifier;
import io.herald.core.chat.ChatException;
import io.herald.core.chat.ChatProfile;
import io.herald.core.chat.ChatService;
import io.herald.core.chat.ChatStore;
import io.herald.core.chat.DelayedTasks;
import io.herald.core.chat.InProcessDelayedTasks;
import io.herald.core.chat.ChatLimits;
import io.herald.core.chat.ChatRateLimits;
import io.herald.core.chat.ContentProtection;
import io.herald.core.chat.MessageCheck;
import io.herald.core.chat.MessageRules;
import io.herald.core.log.EventLog;
import io.herald.core.store.RateLimiter;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.model.PublicationCodec;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.policy.Membership;
import io.herald.core.profile.Profile;
import io.herald.core.profile.ProfileContext;
import io.herald.core.profile.Profiles;
import io.herald.core.routing.TopicRouter;
import io.herald.core.store.PublicationLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every use case, built once from the ports. The Lambda composition root and the tests both
 * build Herald through here, so they cannot drift apart.
 */
public final class Services {
    /**
     * The chat profile's ports; without them (no chat table configured) the chat profile is not offered.
     *
     * @param typingExpiry how long a typing:start stands without a stop or a renewal
     */
    public record Chat(ChatStore store, DelayedTasks delays, Duration typingExpiry, ChatLimits limits, RateLimiter limiter,
            ContentProtection content) {
        /** The document's limits, no content rules beyond masking personal data. */
        public Chat(ChatStore store, DelayedTasks delays, Duration typingExpiry, RateLimiter limiter) {
            this(store, delays, typingExpiry, ChatLimits.DOCUMENT, limiter, ContentProtection.DEFAULTS);
        }
    }

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
    /** The chat's behaviour (HTTP conversations and history, delayed tasks), or null without chat. */
    public final ChatService chat;
    /** What profile behaviour runs against; the HTTP history and delayed tasks use it too. */
    public final ProfileContext context;

    public Services(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log, Delivery.Sleeper sleeper) {
        this(clock, config, registry, ledger, notifier, verifier, log, sleeper, null, FanOutPorts.NONE);
    }

    /** With the chat's ports (null: no chat profile); every fan-out inline. */
    public Services(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log, Delivery.Sleeper sleeper, Chat chatPorts) {
        this(clock, config, registry, ledger, notifier, verifier, log, sleeper, chatPorts, FanOutPorts.NONE);
    }

    /**
     * @param chatPorts the chat's ports, or null: no chat profile
     * @param tree      the fan-out queue and its stores; {@link FanOutPorts#NONE}: every fan-out inline
     */
    public Services(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log, Delivery.Sleeper sleeper, Chat chatPorts,
            FanOutPorts tree) {
        this.clock = clock;
        this.config = config;
        this.verifier = verifier;
        this.registry = registry;
        this.chat = chatPorts == null ? null : chatService(chatPorts);
        List<Profile> extra = new ArrayList<>();
        if (chat != null) {
            extra.add(new ChatProfile(chat, chatPorts.limits().maxMessageBytes()));
            registry.limitConnectionsPerUser(Map.of(ChatProfile.NAME, chatPorts.limits().maxConnectionsPerUser()));
        }
        this.profiles = Profiles.standard(config.defaultProfile(), extra.toArray(Profile[]::new));
        AccessPolicy policy = config.policyJson() == null ? AccessPolicy.defaults()
                : AccessPolicy.parse(config.policyJson(), Membership.NONE);
        if (chat != null) policy = policy.withMembership((user, conversation) -> chatPorts.store().isMember(conversation, user));
        this.codec = new PublicationCodec(config.routesJson() == null ? TopicRouter.defaults() : TopicRouter.parse(config.routesJson()));
        Delivery delivery = new Delivery(notifier, RetryPolicy.DEFAULT, config.fanoutConcurrency(), sleeper);
        this.publisher = new PublishService(registry, ledger, delivery, profiles, policy, config, log, tree);
        this.fanOut = new FanOutService(publisher, registry.subscriptions(), tree, config, log);
        ProfileRuntime runtime = new ProfileRuntime(registry, profiles, delivery, publisher, config, log);
        this.context = runtime;
        this.connect = new ConnectService(registry, verifier, profiles, policy, config, log);
        this.sessions = new SessionService(registry, verifier, profiles, policy, publisher, delivery, config, log, runtime);
        this.lifecycle = new LifecycleService(registry, profiles, delivery, sleeper, log, runtime);
        registry.onForgotten(c -> lifecycle.forgotten(c, clock.instant()));
        if (chat != null) {
            publisher.backendHook(new PublishService.BackendHook() {
                @Override
                public boolean owns(String type) {
                    return ChatService.ownsType(type);
                }

                @Override
                public void accept(io.herald.core.model.Publication p, java.time.Instant now) {
                    ProfileContext.Posted live;
                    try {
                        live = chat.onPublication(p, runtime, now);
                    } catch (ChatException e) {
                        throw new InvalidPublicationException(e.getMessage());
                    }
                    // at least once live: a member connection not reached fails the publication
                    // retryably (the publisher releases its id); the retry posts to the rest
                    if (p.id() != null && live.retryable() > 0) {
                        throw new FanOutIncompleteException(p.id(), new PublishService.Result(p.id(), false, live.targets(),
                                live.reached().size(), live.gone(), live.retried(), live.failed()));
                    }
                }
            });
            if (chatPorts.delays() instanceof InProcessDelayedTasks local) {
                local.deliverTo(task -> chat.onTask(task, runtime, clock.instant()));
            }
        }
    }

    /** A client's message: its type's rules, then content protection (may mask), then the rates (last: only what would be stored counts). */
    private static ChatService chatService(Chat p) {
        ChatRateLimits rates = p.limiter() == null ? null : new ChatRateLimits(p.limiter(), p.limits(), p.store());
        List<MessageCheck> checks = new ArrayList<>(List.of(new MessageRules(), p.content()));
        if (rates != null) checks.add(rates);
        return new ChatService(p.store(), p.delays(), checks, p.typingExpiry(), rates);
    }
}
