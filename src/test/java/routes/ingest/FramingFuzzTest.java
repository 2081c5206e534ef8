package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static routes.ingest.FramingSupport.bytes;
import static routes.ingest.FramingSupport.concat;
import static routes.ingest.FramingSupport.slice;
import static routes.ingest.FramingSupport.utf8;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.ctc.wstx.stax.WstxInputFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;

/**
 * Property-based tests of the framing. Tries: 5,000 + 1,000 (well-formed streams, whole and truncated),
 * 4,000 (arbitrary bytes), 1,000 (XmlSafety over generated prologs), 500 (the generator itself makes
 * well-formed XML) = 11,500.
 */
class FramingFuzzTest {

    private static final int BIG = 4 * 1024 * 1024;
    private static final int MAX_DEPTH = 4;
    /** Tiny read sizes are scaled up so one stream never takes more than this many reads (keeps the run short). */
    private static final int MAX_READS = 4000;

    // ---------------------------------------------------------------- decoder log: silenced, errors kept

    private static final List<String> DECODER_ERRORS = Collections.synchronizedList(new ArrayList<>());
    private static final Logger DECODER_LOG = (Logger) LoggerFactory.getLogger(TattileFrameDecoder.class);
    private static final AppenderBase<ILoggingEvent> ERROR_APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            // Only exceptionCaught logs "Error en la conexión": the decoder threw and the connection was closed.
            if (e.getLevel().isGreaterOrEqual(Level.WARN)
                    && e.getFormattedMessage().contains("Error")) {
                DECODER_ERRORS.add(e.getFormattedMessage());
            }
        }
    };

    @BeforeContainer
    static void quietDecoderLog() {
        ERROR_APPENDER.start();
        DECODER_LOG.addAppender(ERROR_APPENDER);
        DECODER_LOG.setAdditive(false); // thousands of garbage/too-large lines otherwise
    }

    @AfterContainer
    static void restoreDecoderLog() {
        DECODER_LOG.setAdditive(true);
        DECODER_LOG.detachAppender(ERROR_APPENDER);
        ERROR_APPENDER.stop();
    }

    // ---------------------------------------------------------------- properties

    /** (a) Well-formed documents back to back, any separators, any reads: exactly the documents come out. */
    @Property(tries = 5000)
    void wellFormedDocumentsAreFramedExactly(
            @ForAll("streams") DocStream stream, @ForAll("chunkings") Chunking chunking) {
        byte[] data = stream.bytes();
        FramingSupport f = new FramingSupport(BIG);
        for (byte[] chunk : chunking.split(data)) {
            f.write(chunk);
        }
        assertThat(bytes(f.frames())).isEqualTo(stream.expectedFrames());
        assertThat(f.channel.isOpen()).isTrue();
        assertThat(f.buffered()).isZero();
        f.close();
        assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
        assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isZero();
        assertThat(DECODER_ERRORS).isEmpty();
    }

    /** (a') The same, with the last document cut short: the others come out, the cut one is counted at close. */
    @Property(tries = 1000)
    void truncatedLastDocumentIsCountedNotEmitted(
            @ForAll("streams") DocStream stream, @ForAll("chunkings") Chunking chunking, @ForAll long cutSeed) {
        byte[] whole = stream.bytes();
        byte[] last = utf8(stream.docs().get(stream.docs().size() - 1));
        int lastStart =
                whole.length - stream.separators().get(stream.separators().size() - 1).length - last.length;
        int cut = 1 + (int) Math.floorMod(cutSeed, (long) last.length - 1); // keeps 1 .. length-1 bytes of it
        byte[] data = slice(whole, 0, lastStart + cut);

        FramingSupport f = new FramingSupport(BIG);
        for (byte[] chunk : chunking.split(data)) {
            f.write(chunk);
        }
        List<String> expected = stream.expectedFrames();
        assertThat(bytes(f.frames())).isEqualTo(expected.subList(0, expected.size() - 1));
        assertThat(f.buffered()).isEqualTo(cut);
        f.close();
        assertThat(f.frames()).hasSize(expected.size() - 1);
        assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        assertThat(DECODER_ERRORS).isEmpty();
    }

    /**
     * (b) Any bytes, any reads, any limit: the decoder never throws, never keeps more than the limit (plus the 5
     * bytes of a possible next "<?xml") after a read, only emits frames within the limit that are slices of the input, in
     * order, and behaves exactly as if everything had arrived in one read.
     */
    @Property(tries = 4000)
    void arbitraryBytesNeverBreakTheDecoder(
            @ForAll("noise") byte[] data, @ForAll("chunkings") Chunking chunking, @ForAll("limits") int max) {
        FramingSupport chunked = new FramingSupport(max);
        for (byte[] chunk : chunking.split(data)) {
            chunked.write(chunk);
            assertThat(chunked.buffered()).isLessThanOrEqualTo(max + 5);
        }
        List<byte[]> frames = chunked.frames();
        int from = 0;
        for (byte[] frame : frames) {
            assertThat(frame.length).isBetween(1, max);
            assertThat(frame[0]).isEqualTo((byte) '<');
            assertThat(frame[frame.length - 1]).isEqualTo((byte) '>');
            int at = indexOf(data, frame, from);
            assertThat(at)
                    .as("frame is a slice of the input after the previous frame")
                    .isGreaterThanOrEqualTo(from);
            from = at + frame.length;
        }
        boolean closed = !chunked.channel.isOpen();
        assertThat(chunked.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(closed ? 1 : 0);

        FramingSupport oneRead = new FramingSupport(max);
        oneRead.write(data);
        assertThat(bytes(frames)).isEqualTo(bytes(oneRead.frames()));
        assertThat(oneRead.channel.isOpen()).isEqualTo(!closed);
        assertThat(oneRead.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(closed ? 1 : 0);

        chunked.close();
        oneRead.close();
        assertThat(chunked.frames()).hasSameSizeAs(oneRead.frames());
        assertThat(chunked.rejected(Rejection.INCOMPLETE_DOCUMENT))
                .isEqualTo(oneRead.rejected(Rejection.INCOMPLETE_DOCUMENT))
                // one per document cut short by an XML declaration inside it, plus one at close
                .isLessThanOrEqualTo(occurrences(data, "<?xml") + (closed ? 0 : 1));
        assertThat(DECODER_ERRORS).isEmpty();
    }

    /**
     * XmlSafety.refuseDeclarations over generated prologs (comments and PIs holding markup, "->", "?>"…): a DOCTYPE
     * anywhere in the prolog is refused, a prolog without one is accepted.
     */
    @Property(tries = 1000)
    void declarationsAnywhereInAGeneratedPrologAreRefused(
            @ForAll("prologs") String before,
            @ForAll("prologs") String after,
            @ForAll("roots") String root,
            @ForAll boolean declare) {
        String doctype = declare ? "<!DOCTYPE root [<!ENTITY e \"x\">]>" : "";
        byte[] frame = utf8(before + doctype + after.replaceFirst("^<\\?xml[^>]*>", "") + root);
        XmlSafety safety = new XmlSafety(BIG);
        if (declare) {
            assertThatThrownBy(() -> safety.refuseDeclarations(frame))
                    .isInstanceOfSatisfying(
                            RejectedReadingException.class,
                            e -> assertThat(e.reason()).isEqualTo(Rejection.FORBIDDEN_XML));
        } else {
            assertThatCode(() -> safety.refuseDeclarations(frame)).doesNotThrowAnyException();
        }
    }

    /** The generator of (a) really makes well-formed XML (checked by Woodstox), so (a) tests what it claims. */
    @Property(tries = 500)
    void generatedDocumentsAreWellFormed(@ForAll("documents") String doc) throws Exception {
        XMLInputFactory factory = new WstxInputFactory();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(utf8(doc)));
        while (reader.hasNext()) {
            reader.next();
        }
        reader.close();
    }

    // ---------------------------------------------------------------- streams of well-formed documents

    /** Documents with the separators around them: separators.size() == docs.size() + 1. */
    record DocStream(List<String> docs, List<byte[]> separators) {

        byte[] bytes() {
            List<byte[]> parts = new ArrayList<>();
            for (int i = 0; i < docs.size(); i++) {
                parts.add(separators.get(i));
                parts.add(utf8(docs.get(i)));
            }
            parts.add(separators.get(docs.size()));
            return concat(parts.toArray(byte[][]::new));
        }

        List<String> expectedFrames() {
            return FramingSupport.bytesOfUtf8(docs);
        }

        @Override
        public String toString() {
            String s = FramingSupport.bytes(bytes());
            return s.length() <= 4000 ? s : s.substring(0, 4000) + "…(" + s.length() + " bytes)";
        }
    }

    @Provide
    Arbitrary<DocStream> streams() {
        return Combinators.combine(
                        documents().list().ofMinSize(1).ofMaxSize(5).withSizeDistribution(RandomDistribution.uniform()),
                        separator().list().ofMinSize(6).ofMaxSize(6))
                .as((docs, seps) -> new DocStream(docs, new ArrayList<>(seps.subList(0, docs.size() + 1))));
    }

    @Provide
    Arbitrary<String> documents() {
        // A document starts at its first '<': whitespace before it lies between documents.
        return Combinators.combine(prologs(), element(0)).as((p, root) -> (p + root).stripLeading());
    }

    /** What may come before the root: an optional XML declaration, then whitespace, comments and PIs. */
    @Provide
    Arbitrary<String> prologs() {
        Arbitrary<String> declaration = Arbitraries.of(
                "",
                "",
                "",
                "<?xml version=\"1.0\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version='1.0' encoding='UTF-8' standalone='no'?>");
        Arbitrary<String> misc = Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.of("\n", "\r\n", " ", "\n\t")),
                        Tuple.of(2, comment()),
                        Tuple.of(1, processingInstruction()))
                .list()
                .ofMaxSize(3)
                .map(FramingFuzzTest::join);
        return Combinators.combine(declaration, misc).as((d, m) -> d + m);
    }

    @Provide
    Arbitrary<String> roots() {
        return element(0);
    }

    private Arbitrary<String> element(int depth) {
        Arbitrary<String> name = names();
        Arbitrary<String> attributes = attribute()
                .list()
                .ofMaxSize(3)
                .uniqueElements(a -> a.name())
                .map(list -> join(list.stream().map(Attr::text).toList()));
        Arbitrary<String> tagSpace = Arbitraries.of("", "", "", " ", "\n", "\r\n  ");
        Arbitrary<String> empty =
                Combinators.combine(name, attributes, tagSpace).as((n, a, s) -> "<" + n + a + s + "/>");
        Arbitrary<String> content;
        if (depth >= MAX_DEPTH) {
            content = text();
        } else {
            content = Arbitraries.frequencyOf(
                            Tuple.of(40, text()),
                            Tuple.of(30, Arbitraries.lazy(() -> element(depth + 1))),
                            Tuple.of(10, cdata()),
                            Tuple.of(10, comment()),
                            Tuple.of(5, processingInstruction()),
                            Tuple.of(1, largeText()))
                    .list()
                    .ofMaxSize(depth == 0 ? 6 : 3)
                    .map(FramingFuzzTest::join);
        }
        Arbitrary<String> full = Combinators.combine(name, attributes, tagSpace, content, tagSpace)
                .as((n, a, s1, c, s2) -> "<" + n + a + s1 + ">" + c + "</" + n + s2 + ">");
        return Arbitraries.frequencyOf(Tuple.of(1, empty), Tuple.of(4, full));
    }

    private static Arbitrary<String> names() {
        Arbitrary<String> camera =
                Arbitraries.of("root", "Msg", "MESSAGE", "ALPR", "PLATE_STRING", "IMAGE_OCR", "x", "r");
        Arbitrary<Character> first =
                Arbitraries.chars().range('a', 'z').range('A', 'Z').with('_');
        Arbitrary<String> rest = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars('_', '-', '.')
                .ofMaxLength(10);
        Arbitrary<String> random = Combinators.combine(first, rest).as((f, r) -> f + r);
        return Arbitraries.frequencyOf(Tuple.of(1, camera), Tuple.of(1, random));
    }

    record Attr(String name, String text) {}

    private static Arbitrary<Attr> attribute() {
        Arbitrary<String> tokens = Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Arbitraries.of(
                                        "a", "Z", "0", " ", ">", "/>", "/", "\"", "'", "]]>", "-->", "?>", "=", "ñ",
                                        "€")),
                        Tuple.of(2, entities()))
                .list()
                .ofMaxSize(8)
                .map(FramingFuzzTest::join);
        return Combinators.combine(names(), Arbitraries.of('"', '\''), tokens, Arbitraries.of(" ", "  ", "\n", "\t"))
                .as((name, quote, value, space) -> {
                    String escaped = value.replace(String.valueOf(quote), quote == '"' ? "&quot;" : "&apos;");
                    return new Attr(name, space + name + "=" + quote + escaped + quote);
                });
    }

    private static Arbitrary<String> entities() {
        return Arbitraries.of("&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#60;", "&#x3C;", "&#47;", "&lt;/root&gt;");
    }

    private static Arbitrary<String> text() {
        Arbitrary<String> chars = Arbitraries.of(
                "a", "b", "Z", "0", "9", " ", "\t", "\n", "\r\n", ">", "/", "/>", "]", "]]", "\"", "'", "-", "--",
                "-->", "?", "?>", "!", "=", "[", ";", "ñ", "€", "日", "\u00A0");
        Arbitrary<String> tokens = Arbitraries.frequencyOf(Tuple.of(8, chars), Tuple.of(2, entities()));
        return tokens.list().ofMaxSize(24).map(FramingFuzzTest::join).map(s -> without(s, "]]>", "]]&gt;"));
    }

    /** Base64 text of 1 KB to 100 KB (rare): the camera images. */
    private static Arbitrary<String> largeText() {
        return Arbitraries.integers().between(768, 75_000).map(n -> {
            byte[] image = new byte[n];
            new Random(n).nextBytes(image);
            return Base64.getMimeEncoder().encodeToString(image).replace("\r\n", n % 2 == 0 ? "\n" : "");
        });
    }

    private static Arbitrary<String> cdata() {
        Arbitrary<String> tokens = Arbitraries.of(
                "a",
                " ",
                "<",
                ">",
                "/>",
                "</root>",
                "</Msg>",
                "<root>",
                "]",
                "]]",
                "] ]>",
                "&",
                "&amp;",
                "<!--",
                "-->",
                "<![CDATA[",
                "?>",
                "\"",
                "'",
                "ñ");
        return tokens.list()
                .ofMaxSize(10)
                .map(FramingFuzzTest::join)
                .map(s -> "<![CDATA[" + without(s, "]]>", "]] >") + "]]>");
    }

    private static Arbitrary<String> comment() {
        Arbitrary<String> tokens = Arbitraries.of(
                "a", " ", "<", ">", "-", "->", "</root>", "<root>", "<!--", "]]>", "?>", "'", "\"", "<![CDATA[", "ñ");
        return tokens.list().ofMaxSize(10).map(FramingFuzzTest::join).map(s -> {
            String c = without(s, "--", "- -");
            return "<!--" + (c.endsWith("-") ? c + " " : c) + "-->";
        });
    }

    private static Arbitrary<String> processingInstruction() {
        Arbitrary<String> target = names().filter(n -> !n.toLowerCase().startsWith("xml"));
        Arbitrary<String> data = Arbitraries.of("a", " ", "<", ">", "</root>", "?", "'", "\"", "=", "-->", "]]>")
                .list()
                .ofMaxSize(8)
                .map(FramingFuzzTest::join)
                .map(s -> without(s, "?>", "? >"));
        return Combinators.combine(target, data).as((t, d) -> "<?" + t + (d.isEmpty() ? "" : " " + d) + "?>");
    }

    /** Whitespace, control bytes (STX/ETX, NUL, DEL) and byte-order marks between documents. */
    private static Arbitrary<byte[]> separator() {
        Arbitrary<byte[]> piece = Arbitraries.of(
                new byte[] {' '},
                new byte[] {'\t'},
                new byte[] {'\r', '\n'},
                new byte[] {'\n'},
                new byte[] {0x02},
                new byte[] {0x03},
                new byte[] {0x00},
                new byte[] {0x7F},
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        return piece.list().ofMaxSize(6).map(list -> concat(list.toArray(byte[][]::new)));
    }

    // ---------------------------------------------------------------- noise

    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<byte[]> uniform = Combinators.combine(
                        Arbitraries.longs(), Arbitraries.integers().between(0, 16_384))
                .as((seed, n) -> {
                    byte[] b = new byte[n];
                    new Random(seed).nextBytes(b);
                    return b;
                });
        Arbitrary<byte[]> soup = Combinators.combine(
                        Arbitraries.longs(), Arbitraries.integers().between(0, 3_000))
                .as(FramingFuzzTest::tokenSoup);
        Arbitrary<byte[]> mutated = Combinators.combine(
                        streams(), Arbitraries.longs(), Arbitraries.integers().between(1, 12))
                .as((stream, seed, n) -> mutate(stream.bytes(), new Random(seed), n));
        return Arbitraries.frequencyOf(Tuple.of(1, uniform), Tuple.of(2, soup), Tuple.of(2, mutated));
    }

    private static final String[] SOUP = {
        "<",
        ">",
        "/",
        "/>",
        "</",
        "<!",
        "<!-",
        "<!--",
        "-->",
        "--",
        "-",
        "<![CDATA[",
        "<![",
        "]]>",
        "]]",
        "]",
        "[",
        "<?",
        "?>",
        "?",
        "\"",
        "'",
        "=",
        "<!DOCTYPE r [",
        "<!ENTITY e 'x'>",
        "<?xml version=\"1.0\"?>",
        "<root>",
        "</root>",
        "<Msg>",
        "</Msg>",
        "<x/>",
        "<a b=\">\">",
        " ",
        "\r\n",
        "\u0002",
        "\u0003",
        "a",
        "text",
        "&lt;",
        "ñ",
    };

    private static byte[] tokenSoup(long seed, int count) {
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append(random.nextInt(20) == 0 ? (char) random.nextInt(256) : SOUP[random.nextInt(SOUP.length)]);
        }
        return utf8(s.toString());
    }

    private static byte[] mutate(byte[] data, Random random, int mutations) {
        byte[] b = data;
        for (int m = 0; m < mutations; m++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            switch (random.nextInt(4)) {
                case 0 -> { // flip one byte
                    if (at < b.length) {
                        b = b.clone();
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> b = concat(slice(b, 0, at), utf8(SOUP[random.nextInt(SOUP.length)]), slice(b, at, b.length));
                case 2 -> b = concat(slice(b, 0, at), slice(b, Math.min(b.length, at + random.nextInt(64)), b.length));
                default -> {
                    int to = Math.min(b.length, at + random.nextInt(256));
                    b = concat(slice(b, 0, to), slice(b, at, to), slice(b, to, b.length));
                }
            }
        }
        return b;
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(1, 64)),
                Tuple.of(3, Arbitraries.integers().between(65, 4096)),
                Tuple.of(2, Arbitraries.just(BIG)));
    }

    // ---------------------------------------------------------------- reads

    /** How a stream is cut into reads. */
    record Chunking(String kind, List<Integer> values) {

        List<byte[]> split(byte[] data) {
            List<byte[]> chunks = new ArrayList<>();
            switch (kind) {
                case "whole" -> chunks.add(data);
                case "points" -> { // random cut points
                    TreeSet<Integer> cuts = new TreeSet<>();
                    for (int v : values) {
                        cuts.add(Math.floorMod(v, data.length + 1));
                    }
                    cuts.add(data.length);
                    int from = 0;
                    for (int cut : cuts) {
                        chunks.add(slice(data, from, cut));
                        from = cut;
                    }
                }
                default -> { // read sizes, cycled; tiny ones scaled up on long streams
                    int floor = Math.max(1, data.length / MAX_READS);
                    int from = 0;
                    for (int k = 0; from < data.length; k++) {
                        int n = Math.min(Math.max(floor, values.get(k % values.size())), data.length - from);
                        chunks.add(slice(data, from, from + n));
                        from += n;
                    }
                }
            }
            return chunks;
        }
    }

    @Provide
    Arbitrary<Chunking> chunkings() {
        Arbitrary<Chunking> whole = Arbitraries.just(new Chunking("whole", List.of()));
        Arbitrary<Chunking> points = Arbitraries.integers()
                .between(0, Integer.MAX_VALUE)
                .list()
                .ofMinSize(1)
                .ofMaxSize(40)
                .map(v -> new Chunking("points", v));
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 8)),
                Tuple.of(2, Arbitraries.integers().between(9, 512)),
                Tuple.of(1, Arbitraries.integers().between(513, 65_536)));
        Arbitrary<Chunking> sizes = size.list().ofMinSize(1).ofMaxSize(8).map(v -> new Chunking("sizes", v));
        return Arbitraries.frequencyOf(Tuple.of(1, whole), Tuple.of(3, points), Tuple.of(3, sizes));
    }

    // ---------------------------------------------------------------- helpers

    private static String join(List<String> parts) {
        return String.join("", parts);
    }

    /** Replaces {@code bad} until none is left (a replacement cannot recreate it when it breaks it with a space). */
    private static String without(String s, String bad, String replacement) {
        String r = s;
        while (r.contains(bad)) {
            r = r.replace(bad, replacement);
        }
        return r;
    }

    private static int indexOf(byte[] data, byte[] frame, int from) {
        outer:
        for (int i = from; i <= data.length - frame.length; i++) {
            for (int j = 0; j < frame.length; j++) {
                if (data[i + j] != frame[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long occurrences(byte[] data, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        long count = 0;
        for (int i = 0; i + n.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + n.length, n, 0, n.length)) {
                count++;
            }
        }
        return count;
    }
}
