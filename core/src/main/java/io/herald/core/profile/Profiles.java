package io.herald.core.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The profiles a deployment serves, by name, and its default. */
public final class Profiles {
    private final Map<String, Profile> byName = new LinkedHashMap<>();
    private final Profile defaultProfile;

    public Profiles(String defaultName, Profile... profiles) {
        for (Profile p : profiles) byName.put(p.name(), p);
        this.defaultProfile = byName.get(defaultName);
        if (defaultProfile == null) {
            throw new IllegalArgumentException("unknown default profile '" + defaultName + "'; known: " + byName.keySet());
        }
    }

    /** Every built-in profile, plus those built from ports (chat). */
    public static Profiles standard(String defaultName, Profile... more) {
        List<Profile> all = new ArrayList<>(List.of(new TopicsProfile(), new RaffleProfile(), new BookingProfile(), new NotifyProfile()));
        all.addAll(List.of(more));
        return new Profiles(defaultName, all.toArray(Profile[]::new));
    }

    public Optional<Profile> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The profile of a stored connection; an unknown stored name falls back to the default. */
    public Profile get(String name) {
        return byName.getOrDefault(name, defaultProfile);
    }

    public Profile defaultProfile() {
        return defaultProfile;
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
