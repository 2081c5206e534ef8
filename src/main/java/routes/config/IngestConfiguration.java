package routes.config;

import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.ingest.CameraAddress;
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

    private static final Logger LOG = LoggerFactory.getLogger(IngestConfiguration.class);
    private static final String CAMERA_ROUTE = "ingest-tattile-tcp";
    private static final String CAMERA_ADDRESS_STEP = "camera-address";

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

    /**
     * Behind a balancer the routes see the camera's address only through the step {@code camera-address}: a
     * {@code ROUTES_DIR} ingest.yaml exported before it would check the cameras' allowed sources against the balancer's
     * address and store that. Such a route stops start-up rather than run so.
     */
    static void requireCameraAddressStep(CamelContext context, Settings settings) {
        if (!settings.flag(Setting.INGEST_PROXY_PROTOCOL)) {
            return;
        }
        RouteDefinition route =
                context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(CAMERA_ROUTE);
        if (route != null && route.getOutputs().stream().noneMatch(step -> CAMERA_ADDRESS_STEP.equals(step.getId()))) {
            throw new InvalidSettingException("Invalid configuration: INGEST_PROXY_PROTOCOL=true but route "
                    + CAMERA_ROUTE
                    + (route.getResource() == null
                            ? ""
                            : " (" + route.getResource().getLocation() + ")")
                    + " has no step " + CAMERA_ADDRESS_STEP + " (bean cameraAddress, method toHeader): without it the"
                    + " routes would see the balancer's address; export the routes again or add the step");
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

    /** INGEST_ALLOWED_SOURCES at connect; behind a balancer, INGEST_PROXY_SOURCES and the PROXY header first. */
    @BindToRegistry
    public SourceFilterHandlerFactory tattileSourceFilter() {
        SourceAllowList allowed = SourceAllowList.parseList(settings.text(Setting.INGEST_ALLOWED_SOURCES));
        if (!settings.flag(Setting.INGEST_PROXY_PROTOCOL)) {
            return new SourceFilterHandlerFactory(allowed, intake.rejectionLog());
        }
        SourceAllowList balancers = SourceAllowList.parseList(settings.text(Setting.INGEST_PROXY_SOURCES));
        LOG.info(
                "[INGEST] Puerto de cámaras tras un balanceador: cabecera PROXY obligatoria, solo desde {}; orígenes de"
                        + " las cámaras (INGEST_ALLOWED_SOURCES): {}",
                balancers,
                allowed);
        return SourceFilterHandlerFactory.behindBalancers(allowed, balancers, intake.rejectionLog());
    }

    /** The step camera-address: the camera's address (the PROXY header's behind a balancer) for the routes. */
    @BindToRegistry
    public CameraAddress cameraAddress() {
        return new CameraAddress();
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
