package io.herald.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.time.Instant;

/**
 * Personal data and blocked words in {@code text} messages, before they are stored: masked (the
 * stored and delivered content, and so the sender's acknowledgement, is the masked text) or
 * refused with VALIDATION_ERROR. A message whose {@code metadata.encrypted} is {@code true} passes
 * untouched: its content is ciphertext Herald cannot read.
 *
 * @param personalData what happens to emails, phone numbers and card numbers ({@link PersonalData})
 * @param blocked      whole words (any case) or {@code /regex/} patterns
 * @param blockedMode  MASK replaces each match by asterisks; OFF is not offered (an empty list is)
 */
public record ContentProtection(Mode personalData, List<Pattern> blocked, Mode blockedMode) implements MessageCheck {
    public enum Mode { MASK, REJECT, OFF }

    public ContentProtection {
        blocked = List.copyOf(blocked);
    }

    public static final ContentProtection DEFAULTS = new ContentProtection(Mode.MASK, List.of(), Mode.MASK);

    /** @throws IllegalArgumentException naming the variable whose value is unusable */
    public static ContentProtection from(Settings s, String blockedList) {
        return new ContentProtection(mode(s, "HERALD_CHAT_PII", true), parse(blockedList), mode(s, "HERALD_CHAT_BLOCKED_ACTION", false));
    }

    private static Mode mode(Settings s, String name, boolean offAllowed) {
        String v = s.string(name, "mask").toUpperCase(Locale.ROOT);
        try {
            Mode m = Mode.valueOf(v);
            if (m == Mode.OFF && !offAllowed) throw new IllegalArgumentException();
            return m;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be " + (offAllowed ? "mask, reject or off" : "mask or reject")
                    + ", got '" + s.optional(name) + "'");
        }
    }

    /**
     * One entry a line or comma: a word (matched whole, any case) or {@code /regex/} (any case).
     *
     * @throws IllegalArgumentException for a pattern that does not compile
     */
    public static List<Pattern> parse(String list) {
        List<Pattern> out = new ArrayList<>();
        if (list == null) return out;
        for (String raw : list.split("[,\\n]")) {
            String e = raw.strip();
            if (e.isEmpty() || e.startsWith("#")) continue;
            try {
                out.add(e.length() > 2 && e.startsWith("/") && e.endsWith("/")
                        ? Pattern.compile(e.substring(1, e.length() - 1), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                        : Pattern.compile("(?<![\\p{L}\\p{N}_])" + Pattern.quote(e) + "(?![\\p{L}\\p{N}_])",
                                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            } catch (PatternSyntaxException x) {
                throw new IllegalArgumentException("blocked words: '" + e + "' is not a valid pattern: " + x.getDescription());
            }
        }
        return out;
    }

    @Override
    public Draft check(Draft d, Instant now) {
        if (!"text".equals(d.type()) || d.content() == null || encrypted(d.metadata())) return d;
        String text = d.content();
        if (personalData != Mode.OFF) {
            List<PersonalData.Span> found = PersonalData.find(text);
            if (!found.isEmpty()) {
                if (personalData == Mode.REJECT) {
                    throw ChatException.field("content", "Messages may not contain " + describe(found.get(0).kind()));
                }
                text = PersonalData.mask(text, found);
            }
        }
        for (Pattern p : blocked) {
            Matcher m = p.matcher(text);
            if (!m.find()) continue;
            if (blockedMode == Mode.REJECT) throw ChatException.field("content", "Message contains blocked content");
            text = m.replaceAll(r -> "*".repeat(r.group().length()));
        }
        return text.equals(d.content()) ? d : d.withContent(text);
    }

    static boolean encrypted(JsonNode metadata) {
        return metadata != null && metadata.path("encrypted").isBoolean() && metadata.get("encrypted").booleanValue();
    }

    private static String describe(PersonalData.Kind k) {
        return switch (k) {
            case EMAIL -> "email addresses";
            case PHONE -> "phone numbers";
            case CARD -> "payment card numbers";
        };
    }
}
