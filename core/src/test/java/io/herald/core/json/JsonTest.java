package io.herald.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    /** Issue 11, item 12: these parsed, then failed when written back (plain notation), deep inside a fan-out. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"x\":1e99999}", "{\"x\":-1e99999}", "{\"x\":1e-99999}", "{\"x\":0e99999}", "[1e309]"})
    void parse_should_refuse_numbers_outside_a_doubles_range(String text) {
        Json.MalformedJsonException e = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(text));
        assertEquals("a number is outside the range of a double (about 1e-324 to 1.8e308)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"x\":50.00}", "{\"x\":1.7976931348623157e308}", "{\"x\":4.9e-324}", "{\"x\":0.000}",
            "{\"x\":-12345678901234567890123}"})
    void parse_should_keep_numbers_a_double_can_hold_and_write_them_back(String text) {
        String written = Json.write(Json.parse(text));
        assertEquals(0, Json.parse(text).get("x").decimalValue().compareTo(Json.parse(written).get("x").decimalValue()), written);
    }
}
