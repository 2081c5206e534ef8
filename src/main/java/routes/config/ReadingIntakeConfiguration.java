package routes.config;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import routes.ingest.CameraActivity;
import routes.ingest.CameraGate;
import routes.ingest.LectorVisionMapper;
import routes.ingest.ReadingPlausibility;
import routes.ingest.ReadingRecorder;
import routes.ingest.RejectionLog;
import routes.store.CameraActivityRepository;
import routes.store.CameraRepository;
import routes.store.ReadingRepository;

/**
 * How a reading is admitted and recorded, shared by the two flows that receive readings: the camera ports
 * (ingest.yaml, lectorvision.yaml) and the API's {@code POST /ingest/lectorvision} (api.yaml).
 */
public final class ReadingIntakeConfiguration {

    private final CoreConfiguration core;
    private final RejectionLog rejections;
    private final CameraActivity activity;

    ReadingIntakeConfiguration(CamelContext context, CoreConfiguration core) throws Exception {
        this.core = core;
        this.rejections = new RejectionLog(core.ingestStats(), core.clock());
        this.activity = new CameraActivity(new CameraActivityRepository(core.dataSource()), core.clock());
        context.addService(
                new ActivityFlush(
                        context, activity, core.settings().integer(Setting.CAMERA_ACTIVITY_FLUSH_SECONDS) * 1000L),
                true,
                true);
    }

    /**
     * Writes the cameras' activity every {@code CAMERA_ACTIVITY_FLUSH_SECONDS}, and once more when Camel stops (after
     * the routes, before the pool closes).
     */
    private static final class ActivityFlush extends ServiceSupport {
        private final CamelContext context;
        private final CameraActivity activity;
        private final long periodMillis;
        private ScheduledExecutorService timer;

        ActivityFlush(CamelContext context, CameraActivity activity, long periodMillis) {
            this.context = context;
            this.activity = activity;
            this.periodMillis = periodMillis;
        }

        @Override
        protected void doStart() {
            timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "camera-activity");
            timer.scheduleWithFixedDelay(activity::flush, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            if (timer != null) {
                context.getExecutorServiceManager().shutdownGraceful(timer);
                timer = null;
            }
            activity.flush();
        }
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
        return new ReadingRecorder(
                core.imageStore(), new ReadingRepository(core.dataSource()), core.ingestStats(), activity);
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
