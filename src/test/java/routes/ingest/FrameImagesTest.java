package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.ingest.FramingSupport.utf8;

import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import routes.support.Samples;

/**
 * Lifting image bodies out of the frame must not change what a reading holds: the images decoded from
 * placeholders equal the images decoded from the text the XML parser would have read. 3,000 generated
 * documents (Base64 with line breaks, CDATA, entities, junk, empty and self-closed elements) are parsed
 * both ways.
 */
class FrameImagesTest {

    private static final XmlMapper MAPPER = new XmlSafety(4 * 1024 * 1024).hardenedMapper();
    private final FrameImages images = new FrameImages();

    private record Both(byte[] ocr, byte[] ctx) {}

    private static Both direct(byte[] frame) throws Exception {
        TattileDocument d = MAPPER.readValue(frame, TattileDocument.class);
        return new Both(ReadingFields.image(d.imageOcr), ReadingFields.image(d.imageCtx));
    }

    private Both lifted(byte[] frame) throws Exception {
        FrameImages.Lifted l = images.lift(frame);
        TattileDocument d = MAPPER.readValue(l.document(), TattileDocument.class);
        return new Both(FrameImages.image(l, d.imageOcr), FrameImages.image(l, d.imageCtx));
    }

    @Test
    void vegaSampleImagesAreLiftedAndTheParserReadsASmallDocument() throws Exception {
        byte[] frame = utf8(Samples.vega());
        FrameImages.Lifted l = images.lift(frame);

        assertThat(l.count()).isEqualTo(2);
        assertThat(l.document().length).isLessThan(2048);
        assertThat(new String(l.document(), StandardCharsets.UTF_8))
                .doesNotContain(Samples.vega()
                        .substring(
                                Samples.vega().indexOf("<IMAGE_OCR>") + 11,
                                Samples.vega().indexOf("<IMAGE_OCR>") + 60));
        Both viaLift = lifted(frame);
        Both viaText = direct(frame);
        assertThat(viaLift.ocr()).isNotNull().isEqualTo(viaText.ocr());
        assertThat(viaLift.ctx()).isNotNull().isEqualTo(viaText.ctx());
        assertThat(l.rawXml()).isEqualTo(ReadingParser.redacted(frame));
    }

    @Test
    void aDocumentCannotSpellAPlaceholderToReadAnotherImage() throws Exception {
        String other = Base64.getEncoder().encodeToString("secret".getBytes());
        byte[] frame = utf8("<r><IMAGE_CTX>" + other + "</IMAGE_CTX><IMAGE_OCR>@image-0-0</IMAGE_OCR></r>");
        assertThat(lifted(frame).ocr()).isNull();
        assertThat(lifted(frame).ctx()).isEqualTo("secret".getBytes());
    }

    @Test
    void cdataAndEntityBodiesAreLeftToTheParser() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6});
        byte[] frame = utf8("<r><IMAGE_OCR><![CDATA[" + b64 + "]]></IMAGE_OCR><IMAGE_CTX>" + b64.substring(0, 4)
                + "&#10;" + b64.substring(4) + "</IMAGE_CTX></r>");
        assertThat(images.lift(frame).count()).isZero();
        Both both = lifted(frame);
        assertThat(both.ocr()).isEqualTo(new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(both.ctx()).isEqualTo(new byte[] {1, 2, 3, 4, 5, 6});
    }

    @Property(tries = 3000)
    void liftedImagesEqualTheImagesOfTheWholeDocument(@ForAll("documents") String doc) throws Exception {
        byte[] frame = utf8(doc);
        Both viaText;
        try {
            viaText = direct(frame);
        } catch (Exception notXml) {
            // A document the parser refuses whole must be refused after lifting too.
            try {
                lifted(frame);
            } catch (Exception alsoRefused) {
                return;
            }
            throw new AssertionError("lifted document parsed although the whole one did not: " + doc);
        }
        Both viaLift = lifted(frame);
        assertThat(viaLift.ocr()).isEqualTo(viaText.ocr());
        assertThat(viaLift.ctx()).isEqualTo(viaText.ctx());
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> base64 = Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(0)
                .ofMaxSize(300)
                .map(b -> Base64.getEncoder().encodeToString(b));
        Arbitrary<String> body = Arbitraries.oneOf(
                base64,
                base64.map(s -> s.replaceAll("(.{19})", "$1\r\n")),
                base64.map(s -> "  " + s + "\n\t"),
                base64.map(s -> "<![CDATA[" + s + "]]>"),
                base64.map(
                        s -> s.isEmpty() ? s : s.substring(0, s.length() / 2) + "&#10;" + s.substring(s.length() / 2)),
                base64.map(s -> s + "!*"),
                Arbitraries.of("", " ", "=", "====", "@image-0-0", "AAA", "<b>AAAA</b>", "A&amp;B"));
        Arbitrary<String> element = Combinators.combine(
                        Arbitraries.of("IMAGE_OCR", "IMAGE_CTX", "IMAGE_X"), body, Arbitraries.of("", " type=\"jpg\""))
                .as((name, text, attr) -> "<" + name + attr + ">" + text + "</" + name + ">");
        Arbitrary<String> selfClosed = Arbitraries.of("<IMAGE_OCR/>", "<IMAGE_CTX />");
        return Arbitraries.oneOf(element, element, selfClosed, Arbitraries.of("<PLATE_STRING>1234BCD</PLATE_STRING>"))
                .list()
                .ofMinSize(0)
                .ofMaxSize(5)
                .map(parts -> "<root>" + String.join("\n", parts) + "</root>");
    }
}
