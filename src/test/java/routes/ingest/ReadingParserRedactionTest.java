package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.ingest.FramingSupport.utf8;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import routes.support.Samples;

class ReadingParserRedactionTest {

    private static String imageText(String doc, String element) {
        Matcher m =
                Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(doc);
        assertThat(m.find()).as("sample has <%s>", element).isTrue();
        return m.group(1);
    }

    /** Every 24-character window of the Base64 text: none of them may survive redaction. */
    private static void assertNoPieceOf(String redacted, String base64) {
        assertThat(base64.length()).isGreaterThan(100);
        for (int i = 0; i + 24 <= base64.length(); i += 12) {
            assertThat(redacted).doesNotContain(base64.substring(i, i + 24));
        }
    }

    @Test
    void vegaSampleHasBothImagesReplacedByTheirSizesAndEverythingElseKept() {
        String doc = Samples.vega();
        String ocr = imageText(doc, "IMAGE_OCR");
        String ctx = imageText(doc, "IMAGE_CTX");

        String redacted = ReadingParser.redacted(utf8(doc));

        assertThat(redacted).contains("<IMAGE_OCR>[" + ocr.length() + " bytes]</IMAGE_OCR>");
        assertThat(redacted).contains("<IMAGE_CTX>[" + ctx.length() + " bytes]</IMAGE_CTX>");
        assertNoPieceOf(redacted, ocr);
        assertNoPieceOf(redacted, ctx);
        // Exactly the document with the two image texts swapped for their sizes: nothing else lost or changed.
        String expected = doc.replace(ocr, "[" + ocr.length() + " bytes]").replace(ctx, "[" + ctx.length() + " bytes]");
        assertThat(redacted).isEqualTo(expected);
        assertThat(redacted)
                .startsWith("<?xml version='1.0'")
                .contains(
                        "<PLATE_STRING>3060LFW</PLATE_STRING>",
                        "<DEVICE_SN>2001008851</DEVICE_SN>",
                        "<PLATE_COUNTRY>España</PLATE_COUNTRY>",
                        "<TIME>02-30-15-250</TIME>")
                .endsWith("</root>\n");
    }

    @Test
    void msgSampleHasItsOnlyImageReplaced() {
        String doc = Samples.msg();
        String ocr = imageText(doc, "IMAGE_OCR");

        String redacted = ReadingParser.redacted(utf8(doc));

        assertThat(redacted).isEqualTo(doc.replace(ocr, "[" + ocr.length() + " bytes]"));
        assertThat(redacted).doesNotContain("IMAGE_CTX");
        assertNoPieceOf(redacted, ocr);
    }

    @Test
    void documentWithoutImagesIsUnchanged() {
        String doc = "<root><PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>X1</DEVICE_SN></root>";
        assertThat(ReadingParser.redacted(utf8(doc))).isEqualTo(doc);
    }

    @Test
    void emptyElementImageIsKeptAndTheNextImageIsStillRedacted() {
        String doc =
                "<root><IMAGE_CTX/><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>QUJDREVGR0g=</IMAGE_OCR><IMAGE_X /></root>";
        assertThat(ReadingParser.redacted(utf8(doc)))
                .isEqualTo(
                        "<root><IMAGE_CTX/><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>[12 bytes]</IMAGE_OCR><IMAGE_X /></root>");
    }

    @Test
    void emptyImageTextIsZeroBytes() {
        assertThat(ReadingParser.redacted(utf8("<root><IMAGE_OCR></IMAGE_OCR></root>")))
                .isEqualTo("<root><IMAGE_OCR>[0 bytes]</IMAGE_OCR></root>");
    }

    @Test
    void sizeIsInBytesAndCoversLineBreaksAndCdata() {
        String text = "QUJD\r\nREVG\n"; // 11 bytes with the line breaks
        assertThat(ReadingParser.redacted(utf8("<r><IMAGE_OCR>" + text + "</IMAGE_OCR></r>")))
                .isEqualTo("<r><IMAGE_OCR>[11 bytes]</IMAGE_OCR></r>");
        assertThat(ReadingParser.redacted(utf8("<r><IMAGE_CTX><![CDATA[QUJDREVG]]></IMAGE_CTX></r>")))
                .isEqualTo("<r><IMAGE_CTX>[20 bytes]</IMAGE_CTX></r>");
        assertThat(ReadingParser.redacted(utf8("<r><IMAGE_OCR>ñ€</IMAGE_OCR></r>")))
                .isEqualTo("<r><IMAGE_OCR>[5 bytes]</IMAGE_OCR></r>");
    }

    @Test
    void imageElementWithAttributesIsRedacted() {
        assertThat(ReadingParser.redacted(utf8("<r><IMAGE_OCR type=\"jpg\" src='/a'>QUJDREVG</IMAGE_OCR></r>")))
                .isEqualTo("<r><IMAGE_OCR type=\"jpg\" src='/a'>[8 bytes]</IMAGE_OCR></r>");
    }

    @Test
    void everyImageElementIsRedactedNotOnlyTheFirst() {
        String doc = "<r><IMAGE_OCR>AAAA</IMAGE_OCR><IMAGE_CTX>BBBBBB</IMAGE_CTX><IMAGE_OCR>CC</IMAGE_OCR></r>";
        assertThat(ReadingParser.redacted(utf8(doc)))
                .isEqualTo(
                        "<r><IMAGE_OCR>[4 bytes]</IMAGE_OCR><IMAGE_CTX>[6 bytes]</IMAGE_CTX><IMAGE_OCR>[2 bytes]</IMAGE_OCR></r>");
    }

    @Test
    void nulCharactersAreRemoved() {
        assertThat(ReadingParser.redacted(utf8("<r>a\u0000b</r>"))).isEqualTo("<r>ab</r>");
    }

    @Test
    void longDocumentIsCappedAt64KiB() {
        String doc = "<r><DEVICE_NAME>" + "n".repeat(100_000) + "</DEVICE_NAME></r>";
        String redacted = ReadingParser.redacted(utf8(doc));
        assertThat(redacted).hasSize(64 * 1024 + "…[truncated]".length()).endsWith("…[truncated]");
        assertThat(redacted).startsWith("<r><DEVICE_NAME>nnn");
    }

    @Test
    void aMegabyteImageBecomesAShortDocument() {
        String base64 = "QUJD".repeat(300_000);
        String redacted = ReadingParser.redacted(
                utf8("<root><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>" + base64 + "</IMAGE_OCR></root>"));
        assertThat(redacted)
                .isEqualTo("<root><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>[1200000 bytes]</IMAGE_OCR></root>");
    }
}
