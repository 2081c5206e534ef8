package routes.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import routes.config.Service;
import routes.config.TattileConfiguration;

/**
 * The service in this JVM, started by the test when it chooses (after, say, its own PostgreSQL is up): the
 * service's own Camel Main ({@link Service#camelMain}) with the given settings and flows, on its own thread.
 */
public final class InProcessService implements AutoCloseable {

    private final Main main;
    private final Thread runner;
    private volatile Throwable failure;

    private InProcessService(Map<String, String> settings, String flows) {
        Properties props = new Properties();
        props.putAll(settings);
        props.put("TATTILE_FLOWS", flows);
        // As production starts it; only JMX differs (one MBean server for every test in this JVM).
        main = Service.camelMain(props, new TattileConfiguration());
        main.configure().withJmxEnabled(false);
        runner = new Thread(
                () -> {
                    try {
                        main.run();
                    } catch (Exception e) {
                        failure = e;
                        throw new IllegalStateException(e);
                    }
                },
                "service-under-test");
    }

    /** Starts the service and waits until its Camel context is started. */
    public static InProcessService start(Map<String, String> settings, String flows) {
        InProcessService s = new InProcessService(settings, flows);
        s.runner.start();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> s.main.getCamelContext() != null
                                && s.main.getCamelContext().isStarted()
                        || !s.runner.isAlive());
        if (!s.runner.isAlive()) {
            Throwable root = s.failure;
            while (root != null && root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException(
                    "The service did not start: " + (root == null ? "(see the log)" : root.getMessage()), s.failure);
        }
        return s;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() throws InterruptedException {
        main.completed();
        runner.join(30_000);
    }
}
