package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LectorVisionMapperTest {

    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x10, 0x20, 0x30};
    private static final String B64 = Base64.getEncoder().encodeToString(JPEG);
    private final LectorVisionMapper mapper = new LectorVisionMapper(1024 * 1024);

    private ParsedReading parse(String json) {
        return mapper.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Rejection reasonOf(Runnable r) {
        try {
            r.run();
        } catch (RejectedReadingException e) {
            return e.reason();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aFullDocumentMapsEveryField() {
        ParsedReading r =
                parse("{\"Plate\":\"1234abc\",\"TimeStamp\":\"2026/05/01 10:00:00.123\",\"SerialNumber\":\"LV-01\","
                        + "\"Fiability\":91.5,\"LaneNumber\":2,\"LaneName\":\"Carril 2\",\"Direction\":\"GOAWAY\",\"PlateCoord\":[10,20,110,60],"
                        + "\"Country\":724,\"CharHeight\":28,\"ImageOcr\":\"" + B64 + "\",\"ImageCtx\":\"" + B64
                        + "\",\"Unknown\":{\"x\":1}}");
        assertThat(r.plate()).isEqualTo("1234ABC");
        assertThat(r.localTime()).isEqualTo(LocalDateTime.of(2026, 5, 1, 10, 0, 0, 123_000_000));
        assertThat(r.deviceSn()).isEqualTo("LV-01");
        assertThat(r.ocrScore()).isEqualByComparingTo("91.5");
        assertThat(r.laneId()).isEqualTo(2);
        assertThat(r.laneDescr()).isEqualTo("Carril 2");
        assertThat(r.direction()).isEqualTo("GOAWAY");
        assertThat(new Integer[] {r.bboxMinX(), r.bboxMinY(), r.bboxMaxX(), r.bboxMaxY()})
                .containsExactly(10, 20, 110, 60);
        assertThat(r.countryCode()).isEqualTo("ES");
        assertThat(r.charHeight()).isEqualTo(28);
        assertThat(r.imageOcr()).isEqualTo(JPEG);
        assertThat(r.imageCtx()).isEqualTo(JPEG);
        assertThat(r.rawXml())
                .contains("\"ImageOcr\":\"[" + B64.length() + " bytes]\"")
                .doesNotContain(B64)
                .contains("1234abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageCrop", "IMAGE_CROP"})
    void theForwardersCropImageIsNeitherKeptNorCopiedIntoRaw(String name) {
        ParsedReading r = parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026-05-01 10:00:00\",\"IdDevice\":\"LV01\",\""
                + name + "\":\"" + B64 + "\"}");
        assertThat(r.imageOcr()).isNull();
        assertThat(r.rawXml())
                .contains("\"" + name + "\":\"[" + B64.length() + " bytes]\"")
                .doesNotContain(B64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageOCR", "ImageOcrBase64", "ImageOCRBase64", "ImageOcrB64", "IMAGE_OCR"})
    void everyOcrImageAliasIsAccepted(String name) {
        assertThat(parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026-05-01 10:00:00\",\"IdDevice\":\"LV01\",\"" + name
                                + "\":\"" + B64 + "\"}")
                        .imageOcr())
                .isEqualTo(JPEG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageCTX", "ImageCtxBase64", "ImageCTXBase64", "ImageCtxB64", "IMAGE_CTX"})
    void everyContextImageAliasIsAccepted(String name) {
        assertThat(parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026-05-01 10:00:00\",\"IdDevice\":\"LV01\",\"" + name
                                + "\":\"" + B64 + "\"}")
                        .imageCtx())
                .isEqualTo(JPEG);
    }

    @Test
    void idDeviceMayBeANumberAndCountriesMayBeTextOrUnknownCodes() {
        ParsedReading r = parse(
                "{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":20017,\"Country\":\"FR\","
                        + "\"PlateCharHeight\":31,\"PlateCoord\":[1,2,3]}");
        assertThat(r.deviceSn()).isEqualTo("20017");
        assertThat(r.countryCode()).isEqualTo("FR");
        assertThat(r.country()).isEqualTo("FR");
        assertThat(r.charHeight()).isEqualTo(31);
        assertThat(r.bboxMinX()).isNull();
        assertThat(parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":1,\"Country\":999}")
                        .countryCode())
                .isEqualTo("999");
    }

    @Test
    void missingAndHostileFieldsAreRefusedLikeTattileOnes() {
        assertThat(reasonOf(() -> parse("{\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.MISSING_FIELD);
        assertThat(reasonOf(() -> parse("{\"Plate\":\"1234ABC\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.MISSING_FIELD);
        assertThat(reasonOf(() -> parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\"}")))
                .isEqualTo(Rejection.MISSING_FIELD);
        assertThat(reasonOf(
                        () -> parse("{\"Plate\":\"../etc\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.INVALID_FIELD);
        assertThat(reasonOf(() ->
                        parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"../x\"}")))
                .isEqualTo(Rejection.INVALID_FIELD);
        assertThat(reasonOf(() ->
                        parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/02/30 10:00:00\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.INVALID_FIELD);
    }

    @Test
    void notJsonOrNotAnObjectOrTooBigIsMalformedJson() {
        assertThat(reasonOf(() -> parse("{not json"))).isEqualTo(Rejection.MALFORMED_JSON);
        assertThat(reasonOf(() -> parse("[1,2,3]"))).isEqualTo(Rejection.MALFORMED_JSON);
        assertThat(reasonOf(() -> parse(""))).isEqualTo(Rejection.MALFORMED_JSON);
        LectorVisionMapper small = new LectorVisionMapper(1024);
        assertThatThrownBy(() ->
                        small.parse(("{\"Plate\":\"" + "A".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        RejectedReadingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Rejection.MALFORMED_JSON));
    }

    @Test
    void badBase64LeavesTheImageOut() {
        assertThat(parse(
                                "{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\",\"ImageOcr\":\"***\"}")
                        .imageOcr())
                .isNull();
    }

    @Test
    void trailingGarbageDuplicateKeysAndEmptyBodiesAreMalformed() {
        String ok = "{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\"}";
        assertThat(parse(ok).plate()).isEqualTo("1234ABC");
        assertThat(reasonOf(() -> parse(ok + " garbage"))).isEqualTo(Rejection.MALFORMED_JSON);
        assertThat(
                        reasonOf(
                                () -> parse(
                                        "{\"Plate\":\"1234ABC\",\"Plate\":\"9999ZZZ\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.MALFORMED_JSON);
        assertThat(reasonOf(() -> mapper.parse(null))).isEqualTo(Rejection.MALFORMED_JSON);
    }

    @Test
    void booleansOrObjectsWhereTextIsExpectedAreInvalid() {
        assertThat(reasonOf(() -> parse("{\"Plate\":true,\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\"}")))
                .isEqualTo(Rejection.INVALID_FIELD);
        assertThat(reasonOf(() -> parse(
                        "{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"SerialNumber\":{\"x\":1}}")))
                .isEqualTo(Rejection.INVALID_FIELD);
    }

    @Test
    void aPlateCoordThatIsNotFourIntegersGivesNoBoxAtAllAndZeroPaddedCountriesMap() {
        ParsedReading r = parse("{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\","
                + "\"PlateCoord\":[1,2,3,\"4\"],\"Country\":\"020\"}");
        assertThat(new Integer[] {r.bboxMinX(), r.bboxMinY(), r.bboxMaxX(), r.bboxMaxY()})
                .containsOnlyNulls();
        assertThat(r.countryCode()).isEqualTo("AD");
        assertThat(parse(
                                "{\"Plate\":\"1234ABC\",\"TimeStamp\":\"2026/05/01 10:00:00\",\"IdDevice\":\"A\",\"PlateCoord\":[1,2,3,4.5]}")
                        .bboxMaxY())
                .isNull();
    }
}
