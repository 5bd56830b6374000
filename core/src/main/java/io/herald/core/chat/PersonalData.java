package io.herald.core.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds email addresses, phone numbers and payment card numbers in free text, leaning towards
 * missing an odd format rather than hiding a date, a price or an order number:
 * <ul>
 * <li>email: {@code local@domain.tld};</li>
 * <li>card: 13 to 19 digits, optionally grouped by spaces or dashes, passing the Luhn check;</li>
 * <li>phone, international: {@code +} and 8 to 15 digits (E.164), separators allowed;</li>
 * <li>phone, national: 9 to 12 digits that start with a trunk {@code 0} or an area code in
 *     parentheses, or the North American 3-3-4 grouping. Not a phone: a run that contains a
 *     date (2025-01-15, 15.01.2025, 15/01/2025), follows a currency sign or {@code #}, precedes a
 *     currency or percent sign, follows a word such as "order", "invoice" or "ref", or is one
 *     unseparated run of digits without a leading 0 (order and tracking numbers).</li>
 * </ul>
 */
public final class PersonalData {
    public enum Kind {
        EMAIL("[email]"), CARD("[card]"), PHONE("[phone]");

        public final String mask;

        Kind(String mask) {
            this.mask = mask;
        }
    }

    /** One finding: {@code text.substring(start, end)} is a {@code kind}. */
    public record Span(Kind kind, int start, int end) {}

    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,}(?![\\w-])");
    private static final Pattern CARD = Pattern.compile("(?<![\\w.,-])\\d(?:[ -]?\\d){12,18}(?![\\w-]|[.,]\\d)");
    private static final Pattern PHONE = Pattern.compile("(?<![\\w.,/-])(?:\\+|\\(\\+?)?\\d[\\d ().-]{5,}\\d(?![\\w%/-]|[.,]\\d)");
    private static final Pattern DATE = Pattern.compile("\\d{4}[./-]\\d{1,2}[./-]\\d{1,2}|\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}");
    private static final Pattern NANP = Pattern.compile("\\(?\\d{3}\\)?[ .-]?\\d{3}[ .-]\\d{4}");
    private static final Pattern NOT_PHONE_BEFORE = Pattern.compile(
            "(?:[#$€£¥]|\\b(?:order|invoice|ref|reference|tracking|no|nr|number|id|iban|account|ticket|booking)\\b\\W*)\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final Pattern NOT_PHONE_AFTER = Pattern.compile("^\\s*(?:[$€£¥%]|(?:usd|eur|gbp|euro|dollars?|pounds?)\\b)",
            Pattern.CASE_INSENSITIVE);

    private PersonalData() {}

    /** Every finding, in text order, none overlapping (emails first, then cards, then phones). */
    public static List<Span> find(String text) {
        List<Span> out = new ArrayList<>();
        Matcher m = EMAIL.matcher(text);
        while (m.find()) out.add(new Span(Kind.EMAIL, m.start(), m.end()));
        m = CARD.matcher(text);
        while (m.find()) {
            if (luhn(digits(m.group())) && free(out, m.start(), m.end())) out.add(new Span(Kind.CARD, m.start(), m.end()));
        }
        m = PHONE.matcher(text);
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            String candidate = text.substring(start, end);
            if (isPhone(candidate, text.substring(0, start), text.substring(end)) && free(out, start, end)) {
                out.add(new Span(Kind.PHONE, start, end));
            }
        }
        out.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return out;
    }

    /** The text with each finding replaced by its kind's mask. */
    public static String mask(String text, List<Span> spans) {
        StringBuilder b = new StringBuilder(text.length());
        int at = 0;
        for (Span s : spans) {
            b.append(text, at, s.start()).append(s.kind().mask);
            at = s.end();
        }
        return b.append(text, at, text.length()).toString();
    }

    static boolean isPhone(String candidate, String before, String after) {
        String d = digits(candidate);
        if (NOT_PHONE_BEFORE.matcher(before).find() || NOT_PHONE_AFTER.matcher(after).find()) return false;
        if (DATE.matcher(candidate).find()) return false;
        if (candidate.startsWith("+") || candidate.startsWith("(+")) return d.length() >= 8 && d.length() <= 15;
        if (d.length() < 9 || d.length() > 12) return false;
        if (candidate.chars().allMatch(Character::isDigit)) return candidate.startsWith("0"); // unseparated: only with a trunk 0
        return candidate.startsWith("0") || candidate.startsWith("(") || NANP.matcher(candidate).matches();
    }

    static String digits(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) b.append(s.charAt(i));
        return b.toString();
    }

    /** The Luhn check digit test payment card numbers pass. */
    static boolean luhn(String digits) {
        if (digits.length() < 13 || digits.length() > 19) return false;
        int sum = 0;
        boolean dbl = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int x = digits.charAt(i) - '0';
            if (dbl) {
                x *= 2;
                if (x > 9) x -= 9;
            }
            sum += x;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    private static boolean free(List<Span> taken, int start, int end) {
        for (Span s : taken) if (start < s.end() && s.start() < end) return false;
        return true;
    }
}
