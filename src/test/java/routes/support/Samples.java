package routes.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The sample documents under src/test/resources/samples (copies of ../shared/samples). */
public final class Samples {

    private Samples() {}

    /** Vega-style: prolog, {@code <root>}, TIME 02-30-15-250 on 2026-03-29 (spring DST gap), serial 2001008851, plate 3060LFW. */
    public static String vega() {
        return read("samples/tattile-root-vega.xml");
    }

    /** Documented shape: {@code <Msg>}, TIME 15:42:10 on 2024-03-21, serial TAT1234567, plate 7459MTL, OCR image only. */
    public static String msg() {
        return read("samples/tattile-msg.xml");
    }

    private static String read(String resource) {
        try (InputStream in = Samples.class.getClassLoader().getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
