package io.herald.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {
    final Settings s = new Settings(Map.of("BLANK", " ", "N", " 12 ", "ZERO", "0", "WORD", "ten", "YES", "TRUE", "ODD", "yes"));

    @Test
    void blank_should_read_as_unset_because_cloudformation_passes_empty_parameters_as_empty_strings() {
        assertNull(s.optional("BLANK"));
        assertEquals("fallback", s.string("BLANK", "fallback"));
        assertEquals(5, s.positiveInt("BLANK", 5));
        assertEquals("environment variable BLANK is not set", assertThrows(IllegalStateException.class, () -> s.required("BLANK")).getMessage());
    }

    @Test
    void numbers_should_be_checked_against_their_range_with_the_name_in_the_error() {
        assertEquals(12, s.positiveInt("N", 1));
        assertEquals(0, s.nonNegativeInt("ZERO", 1));
        assertEquals("ZERO must be a positive integer, got '0'",
                assertThrows(IllegalArgumentException.class, () -> s.positiveInt("ZERO", 1)).getMessage());
        assertEquals("WORD must be an integer of 0 or more, got 'ten'",
                assertThrows(IllegalArgumentException.class, () -> s.nonNegativeInt("WORD", 1)).getMessage());
        assertEquals("N must be an integer from 1 to 10, got ' 12 '",
                assertThrows(IllegalArgumentException.class, () -> s.intBetween("N", 1, 1, 10)).getMessage());
    }

    @Test
    void flags_should_be_true_or_false_and_nothing_else() {
        assertTrue(s.flag("YES"));
        assertFalse(s.flag("MISSING"));
        assertEquals("ODD must be true or false, got 'yes'", assertThrows(IllegalArgumentException.class, () -> s.flag("ODD")).getMessage());
    }

    @Test
    void the_names_asked_for_should_be_recorded_set_or_not() {
        s.optional("MISSING");
        s.positiveInt("N", 1);
        assertEquals(Set.of("MISSING", "N"), s.read());
    }
}
