package routes.store;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic jobs' failures (the {@code housekeeping-errors} policy of errors.yaml, and the sender's claim): one WARN
 * line when a flow's jobs start failing (PostgreSQL down, as a rule), silence while they keep failing, one INFO line
 * when every job of the flow has run again. A database outage costs each flow two lines, whatever the poll interval,
 * and never a stack trace.
 *
 * <p>The flow is the route id's first word ({@code sender-poll} → {@code [SENDER]}, logger {@code routes.sender}). A job
 * that fails is remembered until that same job succeeds, so a job that keeps failing for its own reason is not hidden
 * or repeated by another job of the flow that works.
 */
public final class OutageLog {

    /** Per flow, while any of its routes is failing: those routes, how many runs failed, and whether the database was the cause. */
    private static final class Episode {
        final Set<String> failing = new TreeSet<>();
        long failedRuns;
        boolean database;
    }

    private final Map<String, Episode> episodes = new HashMap<>(); // guarded by this
    private final Map<String, AtomicLong> failuresByRoute = new ConcurrentHashMap<>();
    private volatile boolean anyFailing;

    /** A run of {@code routeId} failed: one WARN line if its flow had no failing job, else nothing above DEBUG. */
    public void failed(String routeId, Throwable error) {
        String flow = flow(routeId);
        failuresByRoute.computeIfAbsent(routeId, r -> new AtomicLong()).incrementAndGet();
        boolean database = database(error);
        boolean first;
        synchronized (this) {
            Episode episode = episodes.computeIfAbsent(flow, f -> new Episode());
            first = episode.failing.isEmpty();
            if (first) {
                episode.database = database;
            }
            episode.failing.add(routeId);
            episode.failedRuns++;
            anyFailing = true;
        }
        Logger log = logger(flow);
        if (first) {
            if (database) {
                log.warn(
                        "[{}] Base de datos no disponible ({}): {}; se reintenta en cada ciclo, sin más avisos hasta que responda",
                        tag(flow),
                        routeId,
                        describe(error));
            } else {
                log.warn(
                        "[{}] Error en {}: {}; se reintenta en cada ciclo, sin más avisos hasta que funcione",
                        tag(flow),
                        routeId,
                        describe(error));
            }
        } else if (log.isDebugEnabled()) {
            log.debug("[{}] {} sigue fallando: {}", tag(flow), routeId, describe(error));
        }
    }

    /** A run of {@code routeId} succeeded: one INFO line if it was its flow's last failing job. */
    public void succeeded(String routeId) {
        if (!anyFailing) {
            return; // the usual case, on every poll: no lock
        }
        String flow = flow(routeId);
        Episode ended = null;
        synchronized (this) {
            Episode episode = episodes.get(flow);
            if (episode == null || !episode.failing.remove(routeId) || !episode.failing.isEmpty()) {
                return;
            }
            episodes.remove(flow);
            anyFailing = !episodes.isEmpty();
            ended = episode;
        }
        logger(flow)
                .info(
                        "[{}] {} tras {} ciclos fallidos",
                        tag(flow),
                        ended.database ? "Base de datos disponible de nuevo" : "Tareas periódicas recuperadas",
                        ended.failedRuns);
    }

    /** How many runs of {@code routeId} have failed since start. */
    public long failures(String routeId) {
        AtomicLong n = failuresByRoute.get(routeId);
        return n == null ? 0 : n.get();
    }

    static String flow(String routeId) {
        if (routeId == null || routeId.isBlank()) {
            return "service";
        }
        int dash = routeId.indexOf('-');
        return dash > 0 ? routeId.substring(0, dash) : routeId;
    }

    private static String tag(String flow) {
        return flow.toUpperCase(Locale.ROOT);
    }

    private static Logger logger(String flow) {
        return LoggerFactory.getLogger("routes." + flow);
    }

    /** PostgreSQL or the pool in the chain of causes (JDBC, or Spring's wrapper around it in camel-sql). */
    static boolean database(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The error for the log: the innermost SQLException when there is one (it names the real reason: connection refused,
     * shutting down...), else the error itself; its type and the first line of its message, at most 200 characters, long
     * runs of Base64-like characters masked.
     */
    static String describe(Throwable error) {
        if (error == null) {
            return "?";
        }
        Throwable shown = error;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                shown = t;
            }
        }
        String m = shown.getMessage();
        String line = m == null ? "" : m.lines().findFirst().orElse("").strip();
        if (line.length() > 200) {
            line = line.substring(0, 200) + "…";
        }
        line = line.replaceAll("[A-Za-z0-9+/=]{40,}", "…");
        return line.isEmpty()
                ? shown.getClass().getSimpleName()
                : shown.getClass().getSimpleName() + ": " + line;
    }
}
