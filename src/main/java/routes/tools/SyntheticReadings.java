package routes.tools;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Realistic Tattile documents for the simulator, the demo and the benchmarks: Spanish plates, both
 * document shapes (Vega {@code <root>} with prolog and {@code HH-MM-SS-mmm}; documented {@code <Msg>} with
 * {@code HH:MM:SS}), and real JPEG images of roughly the requested sizes.
 */
public final class SyntheticReadings {

    private static final String CONSONANTS = "BCDFGHJKLMNPRSTVWXYZ";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter VEGA_TIME = DateTimeFormatter.ofPattern("HH-mm-ss-SSS");
    private static final DateTimeFormatter DOC_TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Random random;
    private final String ocrBase64;
    private final String ctxBase64;
    private final byte[] imageElements;

    /**
     * @param ocrBytes approximate size of the OCR image (0 = none)
     * @param ctxBytes approximate size of the context image (0 = none)
     */
    public SyntheticReadings(long seed, int ocrBytes, int ctxBytes) {
        this.random = new Random(seed);
        this.ocrBase64 = ocrBytes > 0 ? Base64.getEncoder().encodeToString(jpeg(ocrBytes, "OCR")) : null;
        this.ctxBase64 = ctxBytes > 0 ? Base64.getEncoder().encodeToString(jpeg(ctxBytes, "CTX")) : null;
        this.imageElements = bytes(imageElements(new StringBuilder()).toString());
    }

    /** The OCR image's JPEG bytes (empty when built without one). */
    public byte[] ocrJpeg() {
        return ocrBase64 == null ? new byte[0] : Base64.getDecoder().decode(ocrBase64);
    }

    /** The context image's JPEG bytes (empty when built without one). */
    public byte[] ctxJpeg() {
        return ctxBase64 == null ? new byte[0] : Base64.getDecoder().decode(ctxBase64);
    }

    public synchronized String plate() {
        StringBuilder b = new StringBuilder(7);
        for (int i = 0; i < 4; i++) {
            b.append((char) ('0' + random.nextInt(10)));
        }
        for (int i = 0; i < 3; i++) {
            b.append(CONSONANTS.charAt(random.nextInt(CONSONANTS.length())));
        }
        return b.toString();
    }

    /** A Vega-style document: prolog, root {@code <root>}, TIME as HH-MM-SS-mmm, both images. */
    public String vega(String serial, String plate, LocalDateTime localTime) {
        StringBuilder b = new StringBuilder(256 + len(ocrBase64) + len(ctxBase64));
        vegaHead(b, serial, plate, localTime);
        return imageElements(b).append(VEGA_TAIL).toString();
    }

    /**
     * The same Vega document as three byte arrays to write back to back: its fields, the image elements (one
     * shared array, not copied per document) and its end. For load generators that must not spend the CPU
     * they measure on building 80 KB strings.
     */
    public byte[][] vegaParts(String serial, String plate, LocalDateTime localTime) {
        return new byte[][] {
            bytes(vegaHead(new StringBuilder(1024), serial, plate, localTime).toString()),
            imageElements,
            bytes(VEGA_TAIL)
        };
    }

    private static final String VEGA_TAIL = "</root>\n";

    private StringBuilder vegaHead(StringBuilder b, String serial, String plate, LocalDateTime localTime) {
        b.append("<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n<root>\n")
                .append("<ID>")
                .append(random.nextInt(1_000_000))
                .append("</ID>\n");
        fields(b, serial, plate, localTime.format(DATE), localTime.format(VEGA_TIME));
        return b;
    }

    /** A document in the original documentation's shape: root {@code <Msg>}, no prolog, TIME as HH:MM:SS. */
    public String msg(String serial, String plate, LocalDateTime localTime) {
        StringBuilder b = new StringBuilder(256 + len(ocrBase64) + len(ctxBase64));
        b.append("<Msg>\n");
        fields(b, serial, plate, localTime.format(DATE), localTime.format(DOC_TIME));
        return imageElements(b).append("</Msg>").toString();
    }

    private void fields(StringBuilder b, String serial, String plate, String date, String time) {
        b.append("<PLATE_STRING>")
                .append(plate)
                .append("</PLATE_STRING>\n")
                .append("<PLATE_COUNTRY_CODE>ESP</PLATE_COUNTRY_CODE>\n<PLATE_COUNTRY>España</PLATE_COUNTRY>\n")
                .append("<OCRSCORE>")
                .append(80 + random.nextInt(20))
                .append("</OCRSCORE>\n")
                .append("<DATE>")
                .append(date)
                .append("</DATE>\n<TIME>")
                .append(time)
                .append("</TIME>\n")
                .append("<DEVICE_SN>")
                .append(serial)
                .append("</DEVICE_SN>\n")
                .append("<DEVICE_NAME>Acceso Norte</DEVICE_NAME>\n<DIRECTION>APPROACH</DIRECTION>\n")
                .append("<LANE_ID>1</LANE_ID>\n<LANE_DESCR>Carril derecho</LANE_DESCR>\n")
                .append("<ORIG_PLATE_MIN_X>812</ORIG_PLATE_MIN_X>\n<ORIG_PLATE_MIN_Y>640</ORIG_PLATE_MIN_Y>\n")
                .append("<ORIG_PLATE_MAX_X>1010</ORIG_PLATE_MAX_X>\n<ORIG_PLATE_MAX_Y>688</ORIG_PLATE_MAX_Y>\n")
                .append("<PLATE_CHAR_HEIGHT>31</PLATE_CHAR_HEIGHT>\n");
    }

    private StringBuilder imageElements(StringBuilder b) {
        if (ocrBase64 != null) {
            b.append("<IMAGE_OCR>").append(ocrBase64).append("</IMAGE_OCR>\n");
        }
        if (ctxBase64 != null) {
            b.append("<IMAGE_CTX>").append(ctxBase64).append("</IMAGE_CTX>\n");
        }
        return b;
    }

    public byte[] bytes(String document) {
        return document.getBytes(StandardCharsets.UTF_8);
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }

    /** A real JPEG (noise with a label) of about the requested size. */
    private byte[] jpeg(int targetBytes, String label) {
        int side = 64;
        byte[] best = null;
        while (side <= 4096) {
            BufferedImage img = new BufferedImage(side * 4 / 3, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int g = 90 + random.nextInt(80);
                    img.setRGB(x, y, new Color(g, g, g).getRGB());
                }
            }
            Graphics2D gr = img.createGraphics();
            gr.setColor(Color.WHITE);
            gr.setFont(new Font(Font.MONOSPACED, Font.BOLD, Math.max(10, side / 8)));
            gr.drawString(label, side / 10, side / 2);
            gr.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "jpg", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            best = out.toByteArray();
            if (best.length >= targetBytes) {
                break;
            }
            side = (int) Math.ceil(side * Math.max(1.1, Math.sqrt((double) targetBytes / best.length)));
        }
        return best;
    }
}
