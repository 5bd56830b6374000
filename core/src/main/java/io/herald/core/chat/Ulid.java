package io.herald.core.chat;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * ULIDs: 48 bits of epoch milliseconds and 80 random bits in Crockford base32, 26 characters that
 * sort as the times they were made. Unique across Lambda instances by the randomness; within one
 * generator, ids of the same millisecond increase (the random part counts up), so one sender's
 * messages keep their order.
 */
public final class Ulid {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private long lastMillis = -1;
    private final byte[] last = new byte[10];

    /** A new id, later than every id this generator made before. */
    public synchronized String next(Instant now) {
        long ms = Math.max(now.toEpochMilli(), lastMillis);
        if (ms == lastMillis) {
            increment();
        } else {
            RANDOM.nextBytes(last);
            lastMillis = ms;
        }
        return encode(ms, last);
    }

    private void increment() {
        for (int i = last.length - 1; i >= 0; i--) {
            if (++last[i] != 0) return;
        }
        lastMillis++; // 2^80 ids in one millisecond: borrow the next one
    }

    static String encode(long ms, byte[] random) {
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (ms & 31)];
            ms >>>= 5;
        }
        // 80 bits = 16 characters of 5 bits, most significant first
        int bit = 0;
        for (int i = 10; i < 26; i++) {
            int v = 0;
            for (int b = 0; b < 5; b++, bit++) v = (v << 1) | ((random[bit / 8] >> (7 - bit % 8)) & 1);
            out[i] = ALPHABET[v];
        }
        return new String(out);
    }

    /** Whether {@code s} has a ULID's shape (26 Crockford base32 characters, upper case). */
    public static boolean isValid(String s) {
        if (s == null || s.length() != 26 || s.charAt(0) > '7') return false;
        for (int i = 0; i < 26; i++) {
            if (new String(ALPHABET).indexOf(s.charAt(i)) < 0) return false;
        }
        return true;
    }
}
