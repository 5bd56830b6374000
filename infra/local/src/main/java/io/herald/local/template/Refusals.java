package io.herald.local.template;

/**
 * How the template readers refuse what the local stack cannot honour: a start that stops with the
 * resource or event, the property and why, never a stack that silently does something else.
 */
final class Refusals {
    /** For {@link #integer}: the property has no default. */
    static final int REQUIRED = Integer.MIN_VALUE;

    private Refusals() {}

    static IllegalStateException refused(String where, String property, String why) {
        return new IllegalStateException(where + ": " + property + " " + why);
    }

    /** A whole-number property within [min, max]; {@code absent} when it is missing, unless that is {@link #REQUIRED}. */
    static int integer(SamTemplate t, String where, String property, Object value, int absent, int min, int max) {
        if (value == null) {
            if (absent == REQUIRED) throw refused(where, property, "is required");
            return absent;
        }
        String text = String.valueOf(t.resolve(value));
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) throw refused(where, property, n + " is outside " + min + ".." + max);
            return n;
        } catch (NumberFormatException e) {
            throw refused(where, property, "'" + text + "' is not a whole number");
        }
    }

    /** FunctionResponseTypes of an event source mapping: true when it holds ReportBatchItemFailures, the only type there is. */
    static boolean reportsBatchItemFailures(SamTemplate t, String where, Object value) {
        boolean reports = false;
        if (t.resolve(value) instanceof java.util.List<?> types) {
            for (Object x : types) {
                String type = String.valueOf(t.resolve(x));
                if (!type.equals("ReportBatchItemFailures")) throw refused(where, "FunctionResponseTypes", type + " is not a response type");
                reports = true;
            }
        }
        return reports;
    }

    /** A true/false property; {@code absent} when missing. */
    static boolean bool(SamTemplate t, String where, String property, Object value, boolean absent) {
        if (value == null) return absent;
        String text = String.valueOf(t.resolve(value)).trim();
        if (text.equalsIgnoreCase("true")) return true;
        if (text.equalsIgnoreCase("false")) return false;
        throw refused(where, property, "'" + text + "' is not true or false");
    }
}
