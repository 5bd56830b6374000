package io.herald.dynamodb.model;

import java.math.BigDecimal;

/** DynamoDB's number rules: 38 significant digits, magnitude between 1E-130 and under 1E+126. */
public final class Numbers {
    private static final BigDecimal MAX = new BigDecimal("1E+126");
    private static final BigDecimal MIN = new BigDecimal("1E-130");
    private static final int MAX_TEXT = 512;

    private Numbers() {}

    /** Parses a number as DynamoDB does; the exception's message is AWS's. */
    public static BigDecimal parse(String text) {
        if (text.length() > MAX_TEXT) {
            // a valid number fits easily (38 digits, at most 130 leading zeros, an exponent); longer text is
            // refused before BigDecimal spends seconds on it
            throw new NumberFormatException("Attempting to store more than 38 significant digits in a Number");
        }
        BigDecimal d;
        try {
            String t = text.trim();
            if (t.isEmpty() || t.endsWith(".") && t.length() == 1) throw new NumberFormatException();
            if (!t.equals(text) || t.indexOf('_') >= 0) throw new NumberFormatException();
            d = new BigDecimal(t);
        } catch (NumberFormatException e) {
            // AWS's wording names the value when there is one (DynamoDB Local's "A value provided cannot be converted into a number" does not)
            throw new NumberFormatException("The parameter cannot be converted to a numeric value" + (text.isEmpty() ? "" : ": " + text));
        }
        return check(d);
    }

    /**
     * Checks range, then precision, of a computed or parsed number: a sum past the largest number
     * has 39 digits too, and DynamoDB calls that an overflow.
     */
    public static BigDecimal check(BigDecimal d) {
        BigDecimal c = canonical(d);
        if (c.signum() == 0) return c;
        BigDecimal abs = c.abs();
        if (abs.compareTo(MAX) >= 0) throw new NumberFormatException("Number overflow. Attempting to store a number with magnitude larger than supported range");
        if (abs.compareTo(MIN) < 0) throw new NumberFormatException("Number underflow. Attempting to store a number with magnitude smaller than supported range");
        if (c.precision() > 38) throw new NumberFormatException("Attempting to store more than 38 significant digits in a Number");
        return c;
    }

    /**
     * Checks a sum or difference (SET +/-, ADD). DynamoDB calls any result it cannot hold an
     * overflow, even one in range that needs more than 38 digits (1E+50 + 1): its wording, kept.
     */
    public static BigDecimal checkArithmetic(BigDecimal d) {
        BigDecimal c = canonical(d);
        if (c.signum() != 0 && c.precision() > 38 && c.abs().compareTo(MIN) >= 0) {
            throw new NumberFormatException("Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        return check(c);
    }

    static BigDecimal canonical(BigDecimal d) {
        if (d.signum() == 0) return BigDecimal.ZERO;
        return d.stripTrailingZeros();
    }

    /** The text DynamoDB returns: plain notation, no trailing zeros, no exponent. */
    public static String text(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.toPlainString();
    }
}
