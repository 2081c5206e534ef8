package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReadingFieldsTest {

    @ParameterizedTest
    @CsvSource({
        "2026-03-29, 02-30-15-250, 2026-03-29T02:30:15.250",
        "2026/03/29, 02:30:15, 2026-03-29T02:30:15",
        "2026-03-29, 02:30:15.250, 2026-03-29T02:30:15.250",
        "2026-03-29, 02:30:15.5, 2026-03-29T02:30:15.500",
        "2024-02-29, 23:59:59, 2024-02-29T23:59:59"
    })
    void acceptsTheDocumentedDateAndTimeFormats(String date, String time, String expected) {
        assertThat(ReadingFields.localTime(date, time)).isEqualTo(LocalDateTime.parse(expected));
    }

    @ParameterizedTest
    @CsvSource({
        "2026-02-30, 10:00:00",
        "2025-02-29, 10:00:00",
        "2026-13-01, 10:00:00",
        "2026-01-01, 24:00:00",
        "2026-01-01, 10:60:00",
        "2026-01-01, 10:00:61",
        "26-01-01, 10:00:00",
        "2026-01-01, 10:00",
        "2026-01-01, 1000:00"
    })
    void refusesImpossibleOrMalformedDatesAndTimes(String date, String time) {
        assertThatThrownBy(() -> ReadingFields.localTime(date, time))
                .isInstanceOfSatisfying(
                        RejectedReadingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_FIELD));
    }

    @Test
    void missingDateOrTimeIsAMissingField() {
        assertThatThrownBy(() -> ReadingFields.localTime(" ", "10:00:00"))
                .isInstanceOfSatisfying(
                        RejectedReadingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Rejection.MISSING_FIELD));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234ABC", "b1234cd", "AB-123-CD", "M 1234 XY", "X"})
    void acceptsPlatesAndUpperCasesThem(String plate) {
        assertThat(ReadingFields.plate(plate)).isEqualTo(plate.strip().toUpperCase());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../etc",
                "12/34",
                "12\\34",
                "AB.CD",
                "ÑAB123",
                "1234\u0000AB",
                "ABCDEFGHIJKLMNOPQ",
                "-1234",
                "12_34",
                "a b\tc"
            })
    void refusesHostilePlates(String plate) {
        assertThatThrownBy(() -> ReadingFields.plate(plate)).isInstanceOf(RejectedReadingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/b", "a.b", "", "ñ1", "x\u0000"})
    void refusesHostileSerials(String serial) {
        assertThat(ReadingFields.isValidSerial(serial)).isFalse();
    }

    @Test
    void serialsAreLettersDigitsDashAndUnderscoreUpTo64() {
        assertThat(ReadingFields.isValidSerial("TAT1234567")).isTrue();
        assertThat(ReadingFields.isValidSerial("cam-01_A")).isTrue();
        assertThat(ReadingFields.isValidSerial("9".repeat(64))).isTrue();
        assertThat(ReadingFields.isValidSerial("9".repeat(65))).isFalse();
    }

    @Test
    void base64IsStrictButToleratesLineBreaks() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5, 6};
        String b64 = Base64.getEncoder().encodeToString(jpeg);
        assertThat(ReadingFields.image(b64)).isEqualTo(jpeg);
        assertThat(ReadingFields.image(b64.substring(0, 4) + "\r\n" + b64.substring(4)))
                .isEqualTo(jpeg);
        assertThat(ReadingFields.image("not*base64!")).isNull();
        assertThat(ReadingFields.image("/9j/4")).isNull(); // a dangling character
        assertThat(ReadingFields.image("")).isNull();
        assertThat(ReadingFields.image(null)).isNull();
    }

    @Test
    void optionalNumbersAndTextAreLenientButClean() {
        assertThat(ReadingFields.integer(" 42 ")).isEqualTo(42);
        assertThat(ReadingFields.integer("4x")).isNull();
        assertThat(ReadingFields.integer("99999999999")).isNull();
        assertThat(ReadingFields.decimal("92,5")).isEqualByComparingTo(new BigDecimal("92.5"));
        assertThat(ReadingFields.decimal("1e400")).isNull();
        assertThat(ReadingFields.text(" Carril\u0000 derecho\u0007 ")).isEqualTo("Carril derecho");
        assertThat(ReadingFields.text("x".repeat(500))).hasSize(200);
        assertThat(ReadingFields.text("   ")).isNull();
    }

    @Test
    void hostileValuesAreShownSafelyInLogs() {
        assertThat(ReadingFields.shown("a\nb\u0000c")).isEqualTo("'a?b?c'");
        assertThat(ReadingFields.shown("A".repeat(100))).contains("…(100)").hasSizeLessThan(60);
    }
}
