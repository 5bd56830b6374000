package io.herald.core.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one reader of Herald's settings: a function's environment variables (template.yaml sets
 * them from its parameters; the local stack from the same template, with {@code --param}). A blank
 * value counts as unset, because CloudFormation passes an empty parameter as an empty string.
 *
 * <p>A value that is set but unusable is refused with the variable's name, what it must be and
 * what it was, at start, instead of falling back to a default nobody chose.
 */
public final class Settings {
    private final Map<String, String> env;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    public Settings(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The value, or null when unset or blank. */
    public String optional(String name) {
        read.add(name);
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    public String string(String name, String fallback) {
        String v = optional(name);
        return v == null ? fallback : v.trim();
    }

    /** @throws IllegalStateException when the variable is unset or blank */
    public String required(String name) {
        String v = optional(name);
        if (v == null) throw new IllegalStateException("environment variable " + name + " is not set");
        return v;
    }

    /** @throws IllegalArgumentException unless the value is an integer of at least 1 */
    public int positiveInt(String name, int fallback) {
        return intBetween(name, fallback, 1, Integer.MAX_VALUE, "a positive integer");
    }

    /** 0 switches a limit off. @throws IllegalArgumentException unless the value is an integer of at least 0 */
    public int nonNegativeInt(String name, int fallback) {
        return intBetween(name, fallback, 0, Integer.MAX_VALUE, "an integer of 0 or more");
    }

    /** @throws IllegalArgumentException unless the value is an integer from min to max */
    public int intBetween(String name, int fallback, int min, int max) {
        return intBetween(name, fallback, min, max, "an integer from " + min + " to " + max);
    }

    /** True only for {@code true} (any case); anything else set is refused rather than read as false. */
    public boolean flag(String name) {
        String v = optional(name);
        if (v == null || v.trim().equalsIgnoreCase("false")) return false;
        if (v.trim().equalsIgnoreCase("true")) return true;
        throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
    }

    /** The names asked for so far, set or not: what this process depends on. */
    public Set<String> read() {
        return new TreeSet<>(read);
    }

    private int intBetween(String name, int fallback, int min, int max, String what) {
        String v = optional(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + ", got '" + v + "'");
        }
    }
}
