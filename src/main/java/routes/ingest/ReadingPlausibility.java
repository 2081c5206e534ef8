package routes.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import routes.store.NewReading;

/**
 * Refuses readings that no camera could have taken: a time more than {@code INGEST_MAX_AGE_DAYS} in the past
 * or more than {@code INGEST_MAX_FUTURE_SECONDS} ahead, or an image that is not a JPEG (it must start with the
 * SOI marker {@code FF D8 FF} and hold an EOI marker {@code FF D9}; cameras may pad after the EOI, which is
 * accepted). Such a reading is not stored, and its connection is kept.
 */
public final class ReadingPlausibility {

    private final Duration maxAge;
    private final Duration maxAhead;
    private final Clock clock;

    public ReadingPlausibility(int maxAgeDays, int maxFutureSeconds, Clock clock) {
        this.maxAge = Duration.ofDays(maxAgeDays);
        this.maxAhead = Duration.ofSeconds(maxFutureSeconds);
        this.clock = clock;
    }

    public NewReading check(NewReading r) {
        Instant now = clock.instant();
        if (r.timestampUtc().isBefore(now.minus(maxAge))) {
            throw RejectedReadingException.ofCamera(
                    Rejection.IMPLAUSIBLE_TIME,
                    "la lectura (" + r.plate() + ") de (" + r.deviceSn() + ") es de " + r.timestampUtc() + ", más de "
                            + maxAge.toDays() + " días atrás (INGEST_MAX_AGE_DAYS)",
                    r.deviceSn());
        }
        if (r.timestampUtc().isAfter(now.plus(maxAhead))) {
            throw RejectedReadingException.ofCamera(
                    Rejection.IMPLAUSIBLE_TIME,
                    "la lectura (" + r.plate() + ") de (" + r.deviceSn() + ") es de " + r.timestampUtc() + ", más de "
                            + maxAhead.toSeconds() + " s en el futuro (INGEST_MAX_FUTURE_SECONDS)",
                    r.deviceSn());
        }
        jpeg(r.imageOcr(), "OCR", r);
        jpeg(r.imageCtx(), "CTX", r);
        return r;
    }

    private static void jpeg(byte[] image, String kind, NewReading r) {
        if (image != null && !isJpeg(image)) {
            throw RejectedReadingException.ofCamera(
                    Rejection.NOT_JPEG,
                    "la imagen " + kind + " de la lectura (" + r.plate() + ") de (" + r.deviceSn() + ") no es JPEG ("
                            + image.length + " bytes)",
                    r.deviceSn());
        }
    }

    /** Starts with FF D8 FF and holds FF D9 after it (padding after the EOI is fine). */
    public static boolean isJpeg(byte[] b) {
        if (b.length < 5 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8 || (b[2] & 0xFF) != 0xFF) {
            return false;
        }
        for (int i = b.length - 1; i > 3; i--) {
            if ((b[i] & 0xFF) == 0xD9 && (b[i - 1] & 0xFF) == 0xFF) {
                return true;
            }
        }
        return false;
    }
}
