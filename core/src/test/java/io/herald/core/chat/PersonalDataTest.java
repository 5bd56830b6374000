package io.herald.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The detectors, with the look-alikes they must leave alone. */
class PersonalDataTest {
    static String masked(String text) {
        return PersonalData.mask(text, PersonalData.find(text));
    }

    @Test
    void find_should_mask_emails() {
        assertEquals("write to [email] or [email].", masked("write to jane.doe+chat@example.co.uk or X_Y@sub.example.org."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+49 30 1234567", "+1 (555) 123-4567", "+441632960961", "+33 6 12 34 56 78", "(+44) 20 7946 0958",
            "030 1234567", "07700 900123", "06 12 34 56 78", "(555) 123-4567", "555-123-4567", "555.123.4567", "0301234567"})
    void find_should_mask_phone_numbers(String phone) {
        assertEquals("call me on [phone] tonight", masked("call me on " + phone + " tonight"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "378282246310005", "5555 5555 5555 4444"})
    void find_should_mask_card_numbers_that_pass_luhn(String card) {
        assertEquals("card [card] ok", masked("card " + card + " ok"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "see you on 2025-01-15 10:30",
        "born 15.01.1990 in Berlin",
        "on 15/01/2025 at noon",
        "it costs $1 234 567 890 now",
        "it costs 1299.00 EUR",
        "that is 1 234 567 890 € total",
        "order #123456789 shipped",
        "order 123-456-7890 shipped",
        "invoice no. 0012345678",
        "tracking 9400111899223334445566",
        "ref 1234567890",
        "the number 123456789012 is large",
        "4111 1111 1111 1112 fails luhn",
        "pi is 3.14159265358979",
        "scores 12 - 15 - 20 - 31 - 44",
        "version 1.2.3.4.5.6.7.8.9",
        "up 12.5% to 1234567890%",
        "coordinates 52.520008, 13.404954",
        "meet at 10:30 or 11:45",
        "not an email: user@localhost or @handle",
    })
    void find_should_leave_dates_prices_order_numbers_and_the_like(String text) {
        assertEquals(List.of(), PersonalData.find(text), text);
    }

    @Test
    void luhn_should_accept_valid_and_refuse_altered_numbers() {
        assertTrue(PersonalData.luhn("4111111111111111"));
        assertFalse(PersonalData.luhn("4111111111111112"));
        assertFalse(PersonalData.luhn("411111111111")); // too short for a card
    }

    @Test
    void find_should_report_each_span_once_in_text_order() {
        String t = "mail a@b.de, card 4111111111111111, tel +49 30 1234567";
        List<PersonalData.Span> s = PersonalData.find(t);
        assertEquals(List.of(PersonalData.Kind.EMAIL, PersonalData.Kind.CARD, PersonalData.Kind.PHONE), s.stream().map(PersonalData.Span::kind).toList());
        assertEquals("mail [email], card [card], tel [phone]", PersonalData.mask(t, s));
    }
}
