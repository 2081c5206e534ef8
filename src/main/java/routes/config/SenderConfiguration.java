package routes.config;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.cxf.jaxws.CxfEndpoint;
import org.apache.camel.support.service.ServiceSupport;
import routes.security.CertificateStore;
import routes.security.CryptoProvider;
import routes.sender.Deliveries;
import routes.sender.Delivery;
import routes.sender.EndpointSlots;
import routes.sender.MatriculaRequest;
import routes.sender.MatriculaResponse;
import routes.sender.MossosClient;
import routes.sender.SendOutcomes;
import routes.sender.SenderCapacity;
import routes.sender.SenderWakeup;
import routes.sender.SigningTurns;
import routes.store.ClusterLock;
import routes.store.QueueNotifications;

/**
 * The sender flow (sender.yaml): the Mossos CXF endpoint, request signing with each municipality's certificate, the
 * answer's reading and what each outcome does to the queue. Only a process that runs the sender builds it: an ingest
 * or API process has no CXF endpoint and no sender timer.
 */
public final class SenderConfiguration {

    private final CamelContext context;
    private final CoreConfiguration core;
    private final Settings settings;
    private final EndpointSlots endpointSlots;
    private final SenderWakeup wakeup;
    private final SigningTurns signingTurns;

    SenderConfiguration(CamelContext context, CoreConfiguration core) throws Exception {
        this.context = context;
        this.core = core;
        this.settings = core.settings();
        this.signingTurns = new SigningTurns(settings.integer(Setting.SENDER_SIGNING_CONCURRENCY));
        this.wakeup = new SenderWakeup(() -> context.isStopping() || context.isStopped());
        this.endpointSlots =
                new EndpointSlots(core.queueRepository(), settings.text(Setting.SENDER_INSTANCE_ID), core.clock());
        if (settings.flag(Setting.SENDER_ENABLED)) {
            CryptoProvider.install(settings.text(Setting.CRYPTO_PROVIDER));
            context.addService(new NotificationListener(new QueueNotifications(settings.database(), wakeup::queued)));
        }
    }

    /** The thread that listens for queued readings, from Camel's start to its stop. */
    private static final class NotificationListener extends ServiceSupport {
        private final QueueNotifications notifications;
        private Thread thread;

        NotificationListener(QueueNotifications notifications) {
            this.notifications = notifications;
        }

        @Override
        protected void doStart() {
            thread = new Thread(notifications, "tattile-queue-notifications");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        protected void doStop() throws InterruptedException {
            notifications.stop();
            if (thread != null) {
                thread.join(5000);
            }
        }
    }

    /** What the sender's poll waits on between rounds: queued readings, or the poll interval. */
    @BindToRegistry
    public SenderWakeup senderWakeup() {
        return wakeup;
    }

    /** A send's timeout must end well before its lease, or a slow send could be recovered and sent twice. */
    private int maxTimeoutMs() {
        return Math.max(1000, (settings.integer(Setting.SENDER_LEASE_SECONDS) - 10) * 1000);
    }

    @BindToRegistry
    public Deliveries deliveries() {
        return new Deliveries(new Delivery.Defaults(
                settings.text(Setting.MOSSOS_ENDPOINT_URL),
                settings.integer(Setting.SENDER_DEFAULT_RETRY_MAX),
                settings.integer(Setting.SENDER_DEFAULT_BACKOFF_MS),
                Math.min(30_000, maxTimeoutMs())));
    }

    @BindToRegistry
    public MatriculaRequest matriculaRequest() {
        return new MatriculaRequest(
                core.imageStore(),
                new CertificateStore(core.dataSource(), settings.path(Setting.CERTS_DIR), core.clock()),
                maxTimeoutMs());
    }

    @BindToRegistry
    public MatriculaResponse matriculaResponse() {
        return new MatriculaResponse(settings.text(Setting.SENDER_SUCCESS_CODES));
    }

    @BindToRegistry
    public SendOutcomes sendOutcomes() {
        return new SendOutcomes(
                core.queueRepository(),
                core.endpointGuard(),
                endpointSlots(),
                core.imageStore(),
                settings.text(Setting.SENDER_INSTANCE_ID),
                settings.integer(Setting.SENDER_MAX_BACKOFF_MS),
                core.clock(),
                core.senderMetrics());
    }

    /** The endpoints' cluster-wide caps on sends in flight (one instance of it: sendOutcomes reads its refusals). */
    @BindToRegistry
    public EndpointSlots endpointSlots() {
        return endpointSlots;
    }

    /** Turns at building, signing and writing a request (one instance: the CXF endpoint gives them back). */
    @BindToRegistry
    public SigningTurns signingTurns() {
        return signingTurns;
    }

    @BindToRegistry
    public SenderCapacity senderCapacity() {
        return new SenderCapacity(
                settings.integer(Setting.SENDER_CONCURRENCY), settings.integer(Setting.SENDER_MAX_BATCH_SIZE));
    }

    /** Lease recovery runs on one instance of the cluster at a time. */
    @BindToRegistry
    public ClusterLock leaseRecoveryLock() throws Exception {
        return core.clusterLock(context, ClusterLock.Job.LEASE_RECOVERY, settings.leaseRecoveryMillis());
    }

    @BindToRegistry
    public CxfEndpoint mossosEndpoint() throws Exception {
        CxfEndpoint endpoint = MossosClient.endpoint(
                context,
                settings.text(Setting.MOSSOS_WSDL_URL),
                settings.flag(Setting.SOAP_DEBUG),
                settings.integer(Setting.SENDER_CONCURRENCY),
                signingTurns);
        // Once Camel has started (the camera port listening): the WSDL checked beside the running service.
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {}

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                Thread check = new Thread(() -> MossosClient.checkWsdl(endpoint), "mossos-wsdl-check");
                check.setDaemon(true);
                check.start();
            }
        });
        return endpoint;
    }
}
