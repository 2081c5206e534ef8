package routes.config;

import org.apache.camel.BindToRegistry;
import routes.ingest.CameraGate;
import routes.ingest.LectorVisionMapper;
import routes.ingest.ReadingPlausibility;
import routes.ingest.ReadingRecorder;
import routes.ingest.RejectionLog;
import routes.store.CameraRepository;
import routes.store.ReadingRepository;

/**
 * How a reading is admitted and recorded, shared by the two flows that receive readings: the camera ports
 * (ingest.yaml, lectorvision.yaml) and the API's {@code POST /ingest/lectorvision} (api.yaml).
 */
public final class ReadingIntakeConfiguration {

    private final CoreConfiguration core;
    private final RejectionLog rejections;

    ReadingIntakeConfiguration(CoreConfiguration core) {
        this.core = core;
        this.rejections = new RejectionLog(core.ingestStats(), core.clock());
    }

    @BindToRegistry
    public CameraGate cameraGate() {
        Settings settings = core.settings();
        return new CameraGate(
                new CameraRepository(core.dataSource()),
                settings.zone(Setting.CAMERA_TIMEZONE),
                settings.integer(Setting.CAMERA_CACHE_SECONDS),
                core.clock());
    }

    @BindToRegistry
    public ReadingPlausibility readingPlausibility() {
        Settings settings = core.settings();
        return new ReadingPlausibility(
                settings.integer(Setting.INGEST_MAX_AGE_DAYS),
                settings.integer(Setting.INGEST_MAX_FUTURE_SECONDS),
                core.clock());
    }

    @BindToRegistry
    public ReadingRecorder readingRecorder() {
        return new ReadingRecorder(core.imageStore(), new ReadingRepository(core.dataSource()), core.ingestStats());
    }

    @BindToRegistry
    public LectorVisionMapper lectorVisionMapper() {
        return new LectorVisionMapper(core.settings().integer(Setting.API_MAX_BODY_BYTES));
    }

    /** One line per refused reading or connection (ingest-errors in errors.yaml, and the source filter). */
    @BindToRegistry
    public RejectionLog rejectionLog() {
        return rejections;
    }
}
