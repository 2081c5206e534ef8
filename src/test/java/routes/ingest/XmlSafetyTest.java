package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static routes.ingest.FramingSupport.concat;
import static routes.ingest.FramingSupport.utf8;

import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import routes.support.Samples;

class XmlSafetyTest {

    private static final int MAX = 2 * 1024 * 1024;
    /**
     * Not a speed bound: a guard so that a parser that expands, fetches or loops fails the test instead of hanging the
     * build. What shows a document was refused cheaply is the parser's limit in its message and the bytes allocated.
     */
    private static final Duration NO_HANG = Duration.ofSeconds(60);
    /** Woodstox with DTD support off skips the DOCTYPE, so every entity reference is undeclared: never expanded. */
    private static final String UNDECLARED_ENTITY = "Undeclared general entity";

    private static final String BILLION_LAUGHS = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
             <!ENTITY lol "lol">
             <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
             <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
             <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
             <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
             <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
             <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
             <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
             <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
             <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <root><PLATE_STRING>&lol9;</PLATE_STRING><DEVICE_SN>2001008851</DEVICE_SN></root>""";

    private final XmlSafety safety = new XmlSafety(MAX);

    private static String xxe(String systemId) {
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE root [<!ENTITY xxe SYSTEM \"" + systemId + "\">]>\n"
                + "<root><PLATE_STRING>&xxe;</PLATE_STRING><DEVICE_SN>2001008851</DEVICE_SN></root>";
    }

    @Nested
    class RefuseDeclarations {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "<!DOCTYPE root><root/>",
                    "<!DOCTYPE root SYSTEM \"http://example.invalid/x.dtd\"><root/>",
                    "<!DOCTYPE root [<!ELEMENT root ANY>]><root/>",
                    "<?xml version=\"1.0\"?>\n<!DOCTYPE root [<!ENTITY a \"b\">]><root>&a;</root>",
                    "<?xml version=\"1.0\"?><!-- harmless --><?pi x?>\r\n<!DOCTYPE root><root/>",
                    "<!doctype root><root/>",
                    "<!ENTITY a \"b\"><root/>",
                    "\r\n  <!DOCTYPE root><root/>",
                    "<!-- a -- b --><!DOCTYPE root><root/>",
                })
        void rejectsDeclarationsInTheProlog(String doc) {
            assertForbidden(utf8(doc));
        }

        @Test
        void rejectsXxeAndBillionLaughs() {
            assertForbidden(utf8(xxe("file:///etc/passwd")));
            assertForbidden(utf8(BILLION_LAUGHS));
            assertForbidden(utf8("<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p.dtd\"> %p;]><r/>"));
        }

        @Test
        void rejectsADoctypeAfterAByteOrderMark() {
            assertForbidden(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("<!DOCTYPE root><root/>")));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    // A comment ends at "-->", not at "->": a comment holding "->" then '<' must not hide the DOCTYPE
                    // after it.
                    "<!-- a -> <b> --><!DOCTYPE root [<!ENTITY e \"boom\">]><root>&e;</root>",
                    "<?xml version=\"1.0\"?><!-- -><root> --><!DOCTYPE root [<!ENTITY e \"boom\">]><root>&e;</root>",
                    "<!---><x>--><!DOCTYPE root><root/>",
                })
        void rejectsADoctypeHiddenBehindACommentHoldingArrowAndMarkup(String doc) {
            assertForbidden(utf8(doc));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "<root/>",
                    "<root><PLATE_STRING>1234ABC</PLATE_STRING></root>",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root/>",
                    "<?xml version='1.0'?><!-- comment with <tags> and -> arrows --><?pi data?>\r\n<!----><root/>",
                    "<root><![CDATA[<!DOCTYPE x>]]></root>",
                    "<root><!-- <!DOCTYPE x> --></root>",
                    "<root>&lt;!DOCTYPE x&gt;</root>",
                    "<!-- <!DOCTYPE x> --><root/>",
                    "",
                    "   ",
                    "<",
                    "<?xml",
                })
        void acceptsPrologsWithoutDeclarations(String doc) {
            assertThatCode(() -> safety.refuseDeclarations(utf8(doc))).doesNotThrowAnyException();
        }

        @Test
        void acceptsTheSamples() {
            assertThatCode(() -> safety.refuseDeclarations(utf8(Samples.vega())))
                    .doesNotThrowAnyException();
            assertThatCode(() -> safety.refuseDeclarations(utf8(Samples.msg()))).doesNotThrowAnyException();
        }

        /**
         * Its cost does not grow with the document: a declaration after the root element starts is not even looked at
         * (the parser refuses it there).
         */
        @Test
        void scansOnlyThePrologOfAHugeDocument() {
            byte[] big = utf8("<?xml version=\"1.0\"?><root>" + "A".repeat(5_000_000) + "<!DOCTYPE x></root>");
            assertThatCode(() -> safety.refuseDeclarations(big)).doesNotThrowAnyException();
        }

        private void assertForbidden(byte[] doc) {
            assertThatThrownBy(() -> safety.refuseDeclarations(doc))
                    .isInstanceOfSatisfying(
                            RejectedReadingException.class,
                            e -> assertThat(e.reason()).isEqualTo(Rejection.FORBIDDEN_XML));
        }
    }

    /** What the parser does with documents that got past {@link XmlSafety#refuseDeclarations}. */
    @Nested
    class HardenedMapper {

        private final XmlMapper mapper = safety.hardenedMapper();

        private TattileDocument parse(byte[] doc) throws IOException {
            return mapper.readValue(doc, TattileDocument.class);
        }

        private TattileDocument parseOrNull(byte[] doc) {
            try {
                return parse(doc);
            } catch (IOException refused) {
                return null; // refusing it is fine too
            }
        }

        /**
         * The parser throws, for {@code reason} (part of the parser's message: the limit that fired), and allocates
         * no more than a few times the document's size (bounded memory: nothing is expanded or accumulated).
         */
        private void assertRefusedWithBoundedMemory(byte[] doc, String reason) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<TattileDocument> parsed = new AtomicReference<>();
            AtomicLong allocated = new AtomicLong();
            assertTimeoutPreemptively(NO_HANG, () -> {
                var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = threads.getCurrentThreadAllocatedBytes();
                try {
                    parsed.set(parse(doc));
                } catch (Throwable t) {
                    thrown.set(t);
                }
                allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
            });
            assertThat(allocated.get())
                    .as("bytes allocated refusing a %d-byte document", doc.length)
                    .isLessThan(16L * 1024 * 1024 + 8L * doc.length);
            assertThat(thrown.get())
                    .as("parsed instead of refused: plate %s", parsed.get() == null ? null : parsed.get().plate)
                    .isInstanceOf(IOException.class);
            assertThat(thrown.get()).hasMessageContaining(reason);
        }

        @Test
        void quadraticBlowUpIsRefusedWithoutExpanding() {
            // One 50 KB entity referenced 50,000 times: 2.5 GB if it were expanded.
            String doc = "<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY a \"" + "x".repeat(50_000)
                    + "\">]><root><PLATE_STRING>" + "&a;".repeat(50_000) + "</PLATE_STRING></root>";
            assertRefusedWithBoundedMemory(utf8(doc), UNDECLARED_ENTITY);
        }

        @Test
        void billionLaughsIsRefusedWithoutExpanding() {
            assertRefusedWithBoundedMemory(utf8(BILLION_LAUGHS), UNDECLARED_ENTITY);
        }

        @Test
        void internalEntityIsNeverExpanded() {
            assertRefusedWithBoundedMemory(
                    utf8("<!DOCTYPE root [<!ENTITY e \"EXPANDED\">]><root><PLATE_STRING>&e;</PLATE_STRING></root>"),
                    UNDECLARED_ENTITY);
        }

        @Test
        void externalFileEntityIsNeverRead(@TempDir Path dir) throws IOException {
            Path secret = dir.resolve("secret.txt");
            Files.writeString(secret, "TOP-SECRET-CONTENT");
            assertRefusedWithBoundedMemory(utf8(xxe(secret.toUri().toString())), UNDECLARED_ENTITY);
        }

        @Test
        void externalHttpEntityAndDtdAreNeverFetched() throws Exception {
            try (ServerSocket server = new ServerSocket(0)) {
                server.setSoTimeout(300);
                String base = "http://127.0.0.1:" + server.getLocalPort();
                assertRefusedWithBoundedMemory(utf8(xxe(base + "/entity")), UNDECLARED_ENTITY);
                // A parameter entity or an external DTD with no general entity reference in the content: the parser
                // (DTD support off) skips the DOCTYPE and may accept the document, but must not fetch anything.
                // (A fetch would hang: nobody answers on that port. Hence the guard; the proof is that nobody
                // connected.)
                TattileDocument viaParameterEntity = assertTimeoutPreemptively(
                        NO_HANG,
                        () -> parseOrNull(utf8("<!DOCTYPE r [<!ENTITY % p SYSTEM \"" + base
                                + "/p.dtd\"> %p;]><r><PLATE_STRING>1</PLATE_STRING></r>")));
                TattileDocument viaExternalDtd = assertTimeoutPreemptively(
                        NO_HANG,
                        () -> parseOrNull(utf8("<!DOCTYPE root SYSTEM \"" + base
                                + "/x.dtd\"><root><PLATE_STRING>1</PLATE_STRING></root>")));
                for (TattileDocument d : new TattileDocument[] {viaParameterEntity, viaExternalDtd}) {
                    if (d != null) {
                        assertThat(d.plate).isEqualTo("1");
                    }
                }
                assertThatThrownBy(() -> {
                            try (Socket fetched = server.accept()) {
                                fetched.getInputStream().read();
                            }
                        })
                        .as("the parser connected to fetch an external DTD or entity")
                        .isInstanceOf(SocketTimeoutException.class);
            }
        }

        @Test
        void utf16DocumentWithEntitiesIsRefusedToo() {
            // refuseDeclarations reads bytes as ASCII and stops at "<\0": the parser must hold on its own.
            String doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE root [<!ENTITY e \"EXPANDED\">]>"
                    + "<root><PLATE_STRING>&e;</PLATE_STRING></root>";
            assertRefusedWithBoundedMemory(doc.getBytes(StandardCharsets.UTF_16LE), UNDECLARED_ENTITY);
            String laughs =
                    BILLION_LAUGHS.replace("<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>");
            assertRefusedWithBoundedMemory(laughs.getBytes(StandardCharsets.UTF_16BE), UNDECLARED_ENTITY);
        }

        @Test
        void deeplyNestedDocumentIsRefusedAtTheDepthLimit() {
            int depth = 10_000;
            String doc = "<root>" + "<a>".repeat(depth) + "</a>".repeat(depth) + "</root>";
            assertRefusedWithBoundedMemory(utf8(doc), "Maximum Element Depth limit (16)");
        }

        @Test
        void nestingJustOverTheLimitThrows() {
            int depth = 17;
            String doc = "<root>" + "<a>".repeat(depth - 1) + "x" + "</a>".repeat(depth - 1) + "</root>";
            assertRefusedWithBoundedMemory(utf8(doc), "Maximum Element Depth limit (16)");
        }

        @Test
        void hugeAttributeCountIsRefusedAtTheAttributeLimit() {
            StringBuilder doc = new StringBuilder("<root");
            for (int i = 0; i < 100_000; i++) {
                doc.append(" a").append(i).append("=\"x\"");
            }
            doc.append("><PLATE_STRING>1</PLATE_STRING></root>");
            assertRefusedWithBoundedMemory(utf8(doc.toString()), "Attribute limit (32)");
        }

        @Test
        void hugeElementCountIsRefusedAtTheChildLimit() {
            String doc = "<root>" + "<a>x</a>".repeat(200_000) + "</root>";
            assertRefusedWithBoundedMemory(utf8(doc), "Maximum Number of Child Elements limit (512)");
        }

        @Test
        void vegaSampleParses() throws IOException {
            TattileDocument doc = parse(utf8(Samples.vega()));
            assertThat(doc.plate).isEqualTo("3060LFW");
            assertThat(doc.deviceSn).isEqualTo("2001008851");
            assertThat(doc.date).isEqualTo("2026-03-29");
            assertThat(doc.time).isEqualTo("02-30-15-250");
            assertThat(doc.country).isEqualTo("España");
            assertThat(doc.imageOcr).startsWith("/9j/");
            assertThat(doc.imageCtx).startsWith("/9j/");
        }

        @Test
        void msgSampleParses() throws IOException {
            TattileDocument doc = parse(utf8(Samples.msg()));
            assertThat(doc.plate).isEqualTo("7459MTL");
            assertThat(doc.deviceSn).isEqualTo("TAT1234567");
            assertThat(doc.time).isEqualTo("15:42:10");
            assertThat(doc.plateCharHeight).isEqualTo("52");
            assertThat(doc.imageOcr).startsWith("/9j/");
            assertThat(doc.imageCtx).isNull();
        }

        @Test
        void predefinedAndCharacterReferencesStillWork() throws IOException {
            TattileDocument doc = parse(utf8("<root><DEVICE_NAME>A &amp; B &lt;&#62; &#x41;</DEVICE_NAME></root>"));
            assertThat(doc.deviceName).isEqualTo("A & B <> A");
        }
    }
}
