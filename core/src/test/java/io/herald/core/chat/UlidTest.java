package io.herald.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UlidTest {
    @Test
    void ids_should_sort_by_time_and_increase_within_a_millisecond() {
        Ulid ids = new Ulid();
        Instant t = Instant.parse("2025-01-01T12:00:00Z");
        String prev = ids.next(t);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String next = ids.next(t); // same millisecond
            assertTrue(next.compareTo(prev) > 0, prev + " then " + next);
            assertTrue(seen.add(next));
            prev = next;
        }
        assertTrue(ids.next(t.plusMillis(1)).compareTo(prev) > 0);
        assertTrue(ids.next(t.minusSeconds(5)).compareTo(prev) > 0, "a clock going back never reorders ids");
    }

    @Test
    void the_time_part_should_be_the_milliseconds_in_crockford_base32() {
        assertEquals("01ARZ3NDEK", Ulid.encode(1469922850259L, new byte[10]).substring(0, 10)); // the ULID spec's example
        assertTrue(Ulid.isValid(new Ulid().next(Instant.now())));
        assertFalse(Ulid.isValid("01ARZ3NDEKTSV4RRFFQ69G5FAU!"));
        assertFalse(Ulid.isValid("01arz3ndektsv4rrffq69g5fav"));
        assertFalse(Ulid.isValid("81ARZ3NDEKTSV4RRFFQ69G5FAV"), "beyond 48 bits");
    }
}
