package routes.config;

import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import routes.ingest.FrameImages;
import routes.ingest.IdleTimeoutHandlerFactory;
import routes.ingest.LectorVisionAnswers;
import routes.ingest.LectorVisionServer;
import routes.ingest.ReadingParser;
import routes.ingest.SourceAllowList;
import routes.ingest.SourceFilterHandlerFactory;
import routes.ingest.TattileFrameDecoderFactory;
import routes.ingest.XmlSafety;

/**
 * The ingest flow (ingest.yaml, and lectorvision.yaml for the Windows Lector Vision forwarder): the camera port's
 * framing, source filter and idle timeout, the hardened XML parser, and the forwarder's own HTTP server when
 * {@code LECTORVISION_PORT} is set.
 */
public final class IngestConfiguration {

    private final Settings settings;
    private final CoreConfiguration core;
    private final ReadingIntakeConfiguration intake;
    private final XmlSafety xmlSafety;

    IngestConfiguration(CamelContext context, CoreConfiguration core, ReadingIntakeConfiguration intake)
            throws Exception {
        this.settings = core.settings();
        this.core = core;
        this.intake = intake;
        this.xmlSafety = new XmlSafety(settings.integer(Setting.INGEST_MAX_FRAME_BYTES));
        var port = settings.lectorVisionPort();
        if (port.isPresent()) {
            context.addService(
                    new LectorVisionServer(
                            settings.text(Setting.LECTORVISION_BIND_HOST),
                            port.getAsInt(),
                            SourceAllowList.parseList(settings.text(Setting.LECTORVISION_ALLOWED_SOURCES)),
                            lectorVisionLimits(settings),
                            core.ingestStats()),
                    true,
                    true);
        }
    }

    /** The forwarder's port keeps the API's connection, body and time limits. */
    private static LectorVisionServer.Limits lectorVisionLimits(Settings settings) {
        return new LectorVisionServer.Limits(
                settings.integer(Setting.API_MAX_CONNECTIONS),
                settings.integer(Setting.API_MAX_CONNECTIONS_PER_CLIENT),
                settings.integer(Setting.API_MAX_REQUESTS_IN_PROGRESS),
                settings.integer(Setting.API_MAX_BODY_BYTES),
                settings.integer(Setting.API_HEADER_TIMEOUT_SECONDS) * 1000L,
                settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS) * 1000L,
                settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS) * 1000L);
    }

    @BindToRegistry
    public XmlSafety xmlSafety() {
        return xmlSafety;
    }

    @BindToRegistry
    public XmlMapper tattileXmlMapper() {
        return xmlSafety.hardenedMapper();
    }

    @BindToRegistry
    public TattileFrameDecoderFactory tattileFrameDecoders() {
        return new TattileFrameDecoderFactory(settings.integer(Setting.INGEST_MAX_FRAME_BYTES), core.ingestStats());
    }

    @BindToRegistry
    public IdleTimeoutHandlerFactory tattileIdleTimeout() {
        return new IdleTimeoutHandlerFactory(settings.integer(Setting.INGEST_IDLE_TIMEOUT_SECONDS));
    }

    @BindToRegistry
    public SourceFilterHandlerFactory tattileSourceFilter() {
        return new SourceFilterHandlerFactory(
                SourceAllowList.parseList(settings.text(Setting.INGEST_ALLOWED_SOURCES)), intake.rejectionLog());
    }

    @BindToRegistry
    public FrameImages frameImages() {
        return new FrameImages();
    }

    @BindToRegistry
    public ReadingParser readingParser() {
        return new ReadingParser();
    }

    @BindToRegistry
    public LectorVisionAnswers lectorVisionAnswers() {
        return new LectorVisionAnswers();
    }
}
