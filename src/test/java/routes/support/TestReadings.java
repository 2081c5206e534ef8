package routes.support;

import java.time.Instant;
import java.util.UUID;
import routes.store.NewReading;

/** Readings for tests that need only who, what and when: a Spanish plate, its images, no optional camera fields. */
public final class TestReadings {

    private TestReadings() {}

    /** A reading of {@code camera} ({@code serial}) with country code ESP, these images (either may be null). */
    public static NewReading of(
            UUID id, UUID camera, String plate, Instant time, String serial, byte[] ocr, byte[] ctx) {
        return new NewReading(
                id, camera, plate, time, serial, null, null, null, null, null, "ESP", null, null, null, null, null,
                null, ocr, ctx, "<root/>");
    }
}
