package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.ingest.FramingSupport.bytes;
import static routes.ingest.FramingSupport.bytesOfUtf8;
import static routes.ingest.FramingSupport.concat;
import static routes.ingest.FramingSupport.slice;
import static routes.ingest.FramingSupport.utf8;

import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import routes.support.LogCapture;
import routes.support.Samples;

class TattileFrameDecoderTest {

    private static final int MAX = 2 * 1024 * 1024;
    private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    private static final String GARBAGE_LOG = "Descartados";

    /** The sample as the camera sends it, without the trailing newline (which lies between documents). */
    private static String vega() {
        return Samples.vega().stripTrailing();
    }

    private static String msg() {
        return Samples.msg().stripTrailing();
    }

    /** Feeds {@code stream} in one buffer and returns the frames as byte-exact strings. */
    private static List<String> frameWhole(String stream) {
        FramingSupport f = new FramingSupport(MAX);
        List<String> frames = bytes(f.write(stream));
        assertThat(f.channel.isOpen()).isTrue();
        return frames;
    }

    /** Feeds {@code stream} one byte per read and returns the frames as byte-exact strings. */
    private static List<String> frameByteByByte(byte[] stream) {
        FramingSupport f = new FramingSupport(MAX);
        for (byte b : stream) {
            f.write(new byte[] {b});
        }
        assertThat(f.channel.isOpen()).isTrue();
        return bytes(f.frames());
    }

    @Nested
    class BackToBack {

        @Test
        void severalDocumentsInOneBuffer() {
            List<String> docs = List.of(
                    "<root><a>1</a><b/></root>",
                    "<Msg><PLATE_STRING>1234ABC</PLATE_STRING></Msg>",
                    "<MESSAGE/>",
                    "<ALPR k='v'>text</ALPR>");
            assertThat(frameWhole(String.join("", docs))).isEqualTo(docs);
        }

        @ParameterizedTest
        @ValueSource(strings = {"root", "Msg", "MESSAGE", "ALPR"})
        void anyRootNameWithAndWithoutProlog(String root) {
            String plain = "<" + root + "><PLATE_STRING>1234ABC</PLATE_STRING><" + root + ">nested same name</" + root
                    + "></" + root + ">";
            String withProlog = PROLOG + "\r\n" + plain;
            String empty = "<" + root + "/>";
            List<String> docs = List.of(plain, withProlog, empty, withProlog);
            String stream = String.join("\n", docs);
            assertThat(frameWhole(stream)).isEqualTo(docs);
            assertThat(frameByteByByte(utf8(stream))).isEqualTo(docs);
        }

        @Test
        void bothSampleFilesWholeAndByteByByte() {
            List<String> docs = List.of(vega(), msg(), vega(), msg());
            String stream = String.join("\n", docs) + "\n";
            assertThat(frameWhole(stream)).isEqualTo(bytesOfUtf8(docs));
            assertThat(frameByteByByte(utf8(stream))).isEqualTo(bytesOfUtf8(docs));
        }

        @Test
        void sampleWithPrologKeepsItsPrologAndUtf8Bytes() {
            List<byte[]> frames = new FramingSupport(MAX).write(Samples.vega());
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0)).isEqualTo(utf8(vega()));
            assertThat(bytes(frames.get(0))).startsWith("<?xml version='1.0'").endsWith("</root>");
        }

        @Test
        void separatorsBetweenDocumentsAreSkippedSilently() {
            byte[] stx = {0x02};
            byte[] etx = {0x03};
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] stream = concat(
                    bom,
                    stx,
                    utf8("<root>1</root>"),
                    etx,
                    utf8("\r\n"),
                    stx,
                    utf8(PROLOG + "<Msg>2</Msg>"),
                    etx,
                    utf8(" \t \r\n"),
                    new byte[] {0x00, 0x7F},
                    stx,
                    utf8("<MESSAGE>3</MESSAGE>"),
                    etx,
                    utf8("\n\n"),
                    bom,
                    utf8("<ALPR>4</ALPR>"),
                    utf8("   \r\n"),
                    etx);
            List<String> docs =
                    List.of("<root>1</root>", PROLOG + "<Msg>2</Msg>", "<MESSAGE>3</MESSAGE>", "<ALPR>4</ALPR>");
            try (LogCapture logs = new LogCapture()) {
                FramingSupport f = new FramingSupport(MAX);
                assertThat(bytes(f.write(stream))).isEqualTo(docs);
                f.close();
                assertThat(logs.linesContaining(GARBAGE_LOG)).isEmpty();
                assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
            }
            assertThat(frameByteByByte(stream)).isEqualTo(docs);
        }

        @Test
        void aLargeBase64DocumentInSmallReadsIsOneFrame() {
            byte[] image = new byte[750_000];
            new Random(42).nextBytes(image);
            String big = PROLOG + "\n<root><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>"
                    + Base64.getEncoder().encodeToString(image) + "</IMAGE_OCR></root>";
            assertThat(utf8(big).length).isGreaterThan(1_000_000);
            FramingSupport f = new FramingSupport(MAX);
            List<byte[]> frames = f.writeChunked(utf8(big + "\r\n" + msg()), List.of(1460, 7, 65536, 1));
            assertThat(bytes(frames)).isEqualTo(bytesOfUtf8(List.of(big, msg())));
        }

        @Test
        @Timeout(value = 20, unit = TimeUnit.SECONDS)
        void aLargeDocumentSentInTinyReadsIsScannedOnceNotRescanned() {
            // 1 MB in 64-byte reads is 16,000 reads: a decoder rescanning its buffer on each read would do ~8 GB of
            // work.
            String big = "<root><IMAGE_OCR>" + "A".repeat(1_000_000) + "</IMAGE_OCR></root>";
            FramingSupport f = new FramingSupport(MAX);
            List<byte[]> frames = f.writeChunked(utf8(big), List.of(64));
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0)).isEqualTo(utf8(big));
        }
    }

    @Nested
    class Splits {

        /** Two small documents with every construct that can fool a framer: prolog, comments, CDATA, quotes. */
        private static final String A =
                PROLOG + "\n<!-- <b> - > --><root a=\">\" b='/>'><x/><![CDATA[</root>]]><y>t</y></root>";

        private static final String B = "<Msg><!--->--><z q='it\"s'/>&lt;/Msg&gt;</Msg>";
        private static final String STREAM = "\u0002" + A + "\u0003\r\n\u0002" + B + "\u0003\r\n";

        @Test
        void documentsSplitAtEveryPositionInTwoReads() {
            byte[] stream = utf8(STREAM);
            for (int i = 0; i <= stream.length; i++) {
                FramingSupport f = new FramingSupport(MAX);
                f.write(slice(stream, 0, i));
                f.write(slice(stream, i, stream.length));
                f.close();
                assertThat(bytes(f.frames())).as("split at %d", i).isEqualTo(List.of(A, B));
                assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT))
                        .as("split at %d", i)
                        .isZero();
            }
        }

        @Test
        void documentsSplitAtEveryPairOfPositionsInThreeReads() {
            byte[] stream = utf8(STREAM);
            for (int i = 0; i <= stream.length; i++) {
                for (int j = i; j <= stream.length; j++) {
                    FramingSupport f = new FramingSupport(MAX);
                    f.write(slice(stream, 0, i));
                    f.write(slice(stream, i, j));
                    f.write(slice(stream, j, stream.length));
                    assertThat(bytes(f.frames())).as("split at %d and %d", i, j).isEqualTo(List.of(A, B));
                }
            }
        }

        @Test
        void documentsDeliveredOneByteAtATime() {
            assertThat(frameByteByByte(utf8(STREAM))).isEqualTo(List.of(A, B));
        }

        @Test
        void eachDocumentIsEmittedAsSoonAsItsLastByteArrives() {
            byte[] stream = utf8(A + B);
            int endOfA = utf8(A).length;
            FramingSupport f = new FramingSupport(MAX);
            assertThat(f.write(slice(stream, 0, endOfA - 1))).isEmpty();
            assertThat(bytes(f.write(slice(stream, endOfA - 1, endOfA)))).containsExactly(A);
            assertThat(bytes(f.write(slice(stream, endOfA, stream.length)))).containsExactly(A, B);
        }

        @Test
        void prologSplitFromItsRootIsNotAFrameOfItsOwn() {
            // Netty's XmlFrameDecoder emits "<?xml …?>" alone when the root has not arrived yet.
            FramingSupport f = new FramingSupport(MAX);
            assertThat(f.write(PROLOG)).isEmpty();
            assertThat(f.write("\r\n")).isEmpty();
            assertThat(f.write("<!-- sent by camera 7 -->")).isEmpty();
            assertThat(f.write("\n")).isEmpty();
            assertThat(bytes(f.write("<root><a>1</a></root>")))
                    .containsExactly(PROLOG + "\r\n<!-- sent by camera 7 -->\n<root><a>1</a></root>");
        }

        @Test
        void prologSplitInsideItsQuestionMarkAndGreaterThan() {
            FramingSupport f = new FramingSupport(MAX);
            assertThat(f.write("<?xml version='1.0'?")).isEmpty();
            assertThat(f.write(">")).isEmpty();
            assertThat(bytes(f.write("<r/>"))).containsExactly("<?xml version='1.0'?><r/>");
        }
    }

    @Nested
    class MarkupThatMustNotEndTheDocument {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    // comments holding markup, and the dash sequences around "-->"
                    "<root><!-- < > </root> <root> --><a>1</a></root>",
                    "<!-- </root> --><root>x</root>",
                    "<root><!-- a - b -> c --- -- >--><a/></root>",
                    "<root><!--->--></root>",
                    "<root><!----></root>",
                    "<root><!-- -x-</root>y --></root>",
                    "<root><!-- a -> </root> b --></root>",
                    "<!-- -> <root/> --><root>x</root>",
                    // CDATA holding end tags and bracket runs
                    "<root><![CDATA[</root>]]></root>",
                    "<root><![CDATA[]] ]> ] > </root> <x/>]]]></root>",
                    "<root><![CDATA[]]></root>",
                    "<root><![CDATA[<![CDATA[</root>]]><![CDATA[]]]]><![CDATA[>]]></root>",
                    // attribute values holding '>' and '/>', both quote styles, the other quote inside
                    "<root a=\">\" b='/>' c=\"/>\"><x y='</root>' z=\"it's\"/></root>",
                    "<root a='say \"/>\"'>t</root>",
                    "<root a=\"/\">t</root>",
                    // processing instructions holding '>' and end tags
                    "<root><?pi a > b </root> ?></root>",
                    "<?xml version=\"1.0\"?><?style href='x.css'?><root/>",
                    // text holding '>' and '/>' (legal unescaped), escaped markup
                    "<root>a > b /> c &lt;/root&gt;</root>",
                    // empty-element roots and nested empty elements
                    "<x/>",
                    "<x />",
                    "<x a=\"1\" b='2'/>",
                    "<r><a/><b c=\"d\"/><e></e><f><g/><h /></f></r>",
                    "<r><r/><r><r/></r></r>",
                    // whitespace inside tags
                    "<root\n  a = \"1\"\r\n>text</root\n>",
                    // non-ASCII
                    "<root><PLATE_COUNTRY>España</PLATE_COUNTRY><n>日本</n></root>",
                })
        void isFramedExactlyWholeAndByteByByte(String doc) {
            String stream = doc + "\r\n" + doc + "<next/>";
            List<String> expected = bytesOfUtf8(List.of(doc, doc, "<next/>"));
            assertThat(frameWhole(stream)).isEqualTo(expected);
            assertThat(frameByteByByte(utf8(stream))).isEqualTo(expected);
        }

        @Test
        void doctypeWithInternalSubsetIsFramedAsOneDocument() {
            // Refused later by XmlSafety, but it must not break the framing of what follows.
            String doc = "<!DOCTYPE r [<!ENTITY a \"]>\"><!ENTITY b '<r>'><!ELEMENT r ANY>]><r>&a;</r>";
            assertThat(frameWhole(doc + "\n<ok/>")).containsExactly(doc, "<ok/>");
            assertThat(frameByteByByte(utf8(doc + "\n<ok/>"))).containsExactly(doc, "<ok/>");
        }

        @Test
        void strayEndTagIsItsOwnBrokenFrameAndDoesNotSwallowTheNextDocument() {
            // The scanner stops at an end tag with no open element; the parser refuses that frame.
            assertThat(frameWhole("</root>\n<root>1</root>")).containsExactly("</root>", "<root>1</root>");
        }
    }

    @Nested
    class Garbage {

        @Test
        void textBetweenDocumentsIsDroppedWithOneLogLineAndTheNextDocumentIsFramed() {
            try (LogCapture logs = new LogCapture()) {
                FramingSupport f = new FramingSupport(MAX);
                List<String> frames =
                        bytes(f.write("<root>1</root>\r\nHELLO garbage 123 ]]> -->\r\n" + PROLOG + "<Msg>2</Msg>"));
                assertThat(frames).containsExactly("<root>1</root>", PROLOG + "<Msg>2</Msg>");
                assertThat(logs.linesContaining(GARBAGE_LOG)).hasSize(1);
                assertThat(logs.linesContaining(GARBAGE_LOG).get(0)).contains(" 21 bytes");
                assertThat(f.channel.isOpen()).isTrue();
            }
        }

        @Test
        void garbageBeforeTheFirstDocumentAndInSeveralReadsIsDropped() {
            FramingSupport f = new FramingSupport(MAX);
            assertThat(f.write("GET / HTTP/1.1\r\n")).isEmpty();
            assertThat(f.write("Host: x\r\n\r\n")).isEmpty();
            assertThat(f.buffered()).isZero();
            assertThat(bytes(f.write("junk<root>1</root>junk<root>2</root>")))
                    .containsExactly("<root>1</root>", "<root>2</root>");
            assertThat(f.buffered()).isZero();
        }

        @Test
        void garbageByteByByteIsDroppedAndNeverBuffered() {
            FramingSupport f = new FramingSupport(MAX);
            for (byte b : utf8("no xml here at all, just text > and ] and -->")) {
                f.write(new byte[] {b});
                assertThat(f.buffered()).isZero();
            }
            assertThat(bytes(f.write("<a/>"))).containsExactly("<a/>");
        }

        @Test
        void garbageAtCloseIsNotAnIncompleteDocument() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<root>1</root>trailing junk \u0003\r\n");
            assertThat(bytes(f.close())).containsExactly("<root>1</root>");
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
        }
    }

    @Nested
    class Limits {

        @Test
        void documentOfExactlyTheLimitIsAccepted() {
            String doc = "<root>" + "x".repeat(87) + "</root>";
            assertThat(utf8(doc)).hasSize(100);
            FramingSupport f = new FramingSupport(100);
            assertThat(bytes(f.write(doc))).containsExactly(doc);
            assertThat(bytes(f.writeChunked(utf8(doc), List.of(9)))).containsExactly(doc, doc);
            assertThat(f.channel.isOpen()).isTrue();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isZero();
        }

        @Test
        void documentOneByteOverTheLimitInOneReadClosesTheConnection() {
            String doc = "<root>" + "x".repeat(88) + "</root>";
            FramingSupport f = new FramingSupport(100);
            try (LogCapture logs = new LogCapture()) {
                assertThat(f.write("<ok/>\n" + doc + "\n<ok/>")).hasSize(1);
                assertThat(logs.linesContaining("INGEST_MAX_FRAME_BYTES")).hasSize(1);
            }
            assertThat(bytes(f.frames())).containsExactly("<ok/>");
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
            f.close();
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
        }

        @Test
        void prologCountsTowardsTheLimit() {
            String doc = PROLOG + "<root>" + "x".repeat(90 - PROLOG.length()) + "</root>";
            assertThat(utf8(doc)).hasSize(103);
            FramingSupport f = new FramingSupport(100);
            assertThat(f.write(doc)).isEmpty();
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
        }

        @Test
        void endlessDocumentInSmallReadsClosesAsSoonAsTheBufferPassesTheLimit() {
            int max = 1000;
            FramingSupport f = new FramingSupport(max);
            f.write("<root>");
            int sent = 6;
            while (f.channel.isOpen() && sent < 10 * max) {
                f.write("<a>0123456789</a>");
                sent += 17;
                assertThat(f.buffered()).isLessThanOrEqualTo(max);
            }
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(sent).isGreaterThan(max).isLessThanOrEqualTo(max + 17);
            assertThat(f.frames()).isEmpty();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
            f.close();
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
        }

        @Test
        void hugeSingleReadOfAnUnfinishedDocumentIsNotKept() {
            FramingSupport f = new FramingSupport(1000);
            f.write("<root>" + "y".repeat(50_000));
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(f.buffered()).isZero();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
        }
    }

    @Nested
    class PartialDocuments {

        @Test
        void partialDocumentAtCloseIsCountedAndNotEmitted() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<root>1</root>\n<root><PLATE_STRING>12");
            try (LogCapture logs = new LogCapture()) {
                assertThat(bytes(f.close())).containsExactly("<root>1</root>");
                assertThat(logs.linesContaining("incompleto")).hasSize(1);
            }
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        }

        @Test
        void prologAloneAtCloseIsAnIncompleteDocumentNotAFrame() {
            FramingSupport f = new FramingSupport(MAX);
            f.write(PROLOG + "\r\n");
            assertThat(f.close()).isEmpty();
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        }

        @Test
        void aLoneLessThanAtCloseIsAnIncompleteDocument() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<a/><");
            assertThat(bytes(f.close())).containsExactly("<a/>");
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        }

        @Test
        void cleanCloseCountsNothing() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<a/>\r\n");
            assertThat(bytes(f.close())).containsExactly("<a/>");
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
            assertThat(f.rejected(Rejection.FRAME_TOO_LARGE)).isZero();
        }

        @Test
        void idleWithAPartialDocumentClosesAndCountsItOnce() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<root>1</root><Msg><PLATE");
            f.channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(bytes(f.close())).containsExactly("<root>1</root>");
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        }

        @Test
        void idleBetweenDocumentsClosesWithoutCounting() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<root>1</root>\r\n");
            f.channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
            assertThat(f.channel.isOpen()).isFalse();
            f.close();
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
        }

        @Test
        void idleOnAFreshConnectionCloses() {
            FramingSupport f = new FramingSupport(MAX);
            f.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
            assertThat(f.channel.isOpen()).isFalse();
            assertThat(f.close()).isEmpty();
            assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isZero();
        }

        @Test
        void otherUserEventsDoNotClose() {
            FramingSupport f = new FramingSupport(MAX);
            f.write("<root>");
            f.channel.pipeline().fireUserEventTriggered("not an idle event");
            assertThat(f.channel.isOpen()).isTrue();
            assertThat(bytes(f.write("</root>"))).containsExactly("<root></root>");
        }
    }

    /** Random read sizes (seeded) over the samples and tricky small documents. */
    @Test
    void randomReadSizesOverBothSamplesGiveTheSameFrames() {
        Random random = new Random(7);
        List<String> docs = List.of(vega(), msg(), "<x/>", PROLOG + "<ALPR><![CDATA[</ALPR>]]></ALPR>");
        byte[] stream = utf8("\u0002" + String.join("\u0003\r\n\u0002", docs) + "\u0003");
        for (int run = 0; run < 200; run++) {
            List<Integer> sizes = new ArrayList<>();
            for (int k = 0, n = 1 + random.nextInt(8); k < n; k++) {
                sizes.add(1 + random.nextInt(random.nextBoolean() ? 8 : 2000));
            }
            FramingSupport f = new FramingSupport(MAX);
            assertThat(bytes(f.writeChunked(stream, sizes)))
                    .as("read sizes %s", sizes)
                    .isEqualTo(bytesOfUtf8(docs));
        }
    }

    @Test
    void aDocumentCutShortByTheNextXmlDeclarationIsDroppedAndTheNextOneFramed() {
        FramingSupport f = new FramingSupport(1 << 20);
        String good = "<?xml version='1.0'?><root><PLATE_STRING>1</PLATE_STRING></root>";
        List<byte[]> frames = f.write("<?xml version='1.0'?><root><PLATE_STRING>12" + good);
        assertThat(frames).hasSize(1);
        assertThat(new String(frames.get(0), StandardCharsets.UTF_8)).isEqualTo(good);
        assertThat(f.stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
    }

    @Test
    void aDocumentCutInsideATagIsDroppedAndTheNextOneFramed() {
        String good = "<?xml version='1.0'?><root><PLATE_STRING>1</PLATE_STRING></root>";
        for (String cut : List.of(
                "<?xml version='1.0'?><root><PLATE_STR",
                "<?xml version='1.0'?><root><A b='x' ",
                "<?xml version='1.0'?><root><A>1</A")) {
            FramingSupport f = new FramingSupport(1 << 20);
            List<byte[]> frames = f.write(cut + good + good);
            assertThat(frames).as(cut).hasSize(2);
            assertThat(frames)
                    .allSatisfy(fr ->
                            assertThat(new String(fr, StandardCharsets.UTF_8)).isEqualTo(good));
            assertThat(f.stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        }
    }

    @Test
    void aDocumentCutRightAfterALessThanIsDroppedAndTheNextOneFramed() {
        // HostileDocumentsTest seed 303651700400: a document cut at "<DIRECTION>APPROACH<", then a good one. The
        // second '<' was read as the first byte of a tag name, the good document's prolog as a start tag, and the
        // good document nested inside the cut one until the next "<?xml " dropped both.
        String cut = "<?xml version='1.0'?><root><A>x<";
        String good = "<?xml version='1.0'?><root><A>1</A></root>";
        FramingSupport f = new FramingSupport(1 << 20);
        assertThat(bytes(f.write(cut + good)))
                .as("the good document is framed as soon as it ends")
                .containsExactly(good);
        assertThat(bytes(f.write("\n" + good))).containsExactly(good, good);
        assertThat(f.rejected(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(1);
        assertThat(frameByteByByte(utf8(cut + good + "\n" + good))).containsExactly(good, good);
    }

    @Test
    void aCutShortDocumentIsRecoveredWhateverTheReadSizes() {
        String good = "<?xml version='1.0'?><root><A>x</A></root>";
        String stream = "<root><A>unbalanced<B>" + good + "\n" + good;
        for (int chunk = 1; chunk <= 8; chunk++) {
            FramingSupport f = new FramingSupport(1 << 20);
            List<byte[]> frames = f.writeChunked(stream.getBytes(StandardCharsets.UTF_8), List.of(chunk));
            assertThat(frames).as("chunk " + chunk).hasSize(2);
            assertThat(frames)
                    .allSatisfy(fr ->
                            assertThat(new String(fr, StandardCharsets.UTF_8)).isEqualTo(good));
        }
    }

    @Test
    void processingInstructionsInsideADocumentDoNotSplitIt() {
        FramingSupport f = new FramingSupport(1 << 20);
        String doc = "<root><?xml-stylesheet href='a'?><?xmlx y?><?pi?><A>1</A></root>";
        assertThat(f.write(doc)).hasSize(1);
        assertThat(new String(f.frames().get(0), StandardCharsets.UTF_8)).isEqualTo(doc);
        assertThat(f.stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT)).isZero();
    }

    @Test
    void aClientThatKeepsSendingGarbageIsLoggedOnceAndSummedUpAtClose() {
        try (LogCapture logs = new LogCapture()) {
            FramingSupport f = new FramingSupport(1 << 20);
            for (int i = 0; i < 100; i++) {
                f.write("garbage!");
            }
            assertThat(logs.linesContaining(GARBAGE_LOG)).hasSize(1);
            f.close();
            assertThat(logs.linesContaining(GARBAGE_LOG)).hasSize(2);
            assertThat(logs.linesContaining(GARBAGE_LOG).get(1)).contains(" " + (99 * 8) + " bytes");
        }
    }
}
