package routes.legacy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import javax.imageio.ImageIO;

/** The old product's image files: small distinct JPEGs, named and laid out as app/utils/images.py does. */
final class LegacyImages {

    private static final DateTimeFormatter DATE_DIRS = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private LegacyImages() {}

    /**
     * build_image_paths: {@code <SN>/YYYY/MM/DD/<YYYYmmddHHMMSS>_plate-<PLATE>_<kind>.jpg}, relative to
     * IMAGES_BASE_DIR, from the reading's timestamp (the camera's wall clock; milliseconds dropped) and the plate
     * as normalize_plate leaves it (spaces removed, upper case).
     */
    static String relativePath(String deviceSn, LocalDateTime timestamp, String plate, String kind) {
        return deviceSn + "/" + DATE_DIRS.format(timestamp) + "/" + FILE_STAMP.format(timestamp) + "_plate-"
                + normalizePlate(plate) + "_" + kind + ".jpg";
    }

    /** normalize_plate. */
    static String normalizePlate(String plate) {
        return plate == null || plate.isEmpty()
                ? "unknown"
                : plate.replace(" ", "").toUpperCase();
    }

    /**
     * A valid baseline JPEG of a few KB (FF D8 ... FF D9), the same bytes for the same seed and different bytes for
     * different seeds: 8x8-pixel blocks of colours drawn from the seed.
     */
    static byte[] jpeg(String seed) {
        Random random = new Random(seedOf(seed));
        BufferedImage image = new BufferedImage(160, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            for (int y = 0; y < image.getHeight(); y += 8) {
                for (int x = 0; x < image.getWidth(); x += 8) {
                    g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
                    g.fillRect(x, y, 8, 8);
                }
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "jpg", out)) {
                throw new IllegalStateException("no JPEG writer");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static long seedOf(String seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
