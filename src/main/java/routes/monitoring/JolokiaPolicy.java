package routes.monitoring;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * What Jolokia may do in this service, as an allow-list (Jolokia's {@code restrictorClass}). Hawtio needs
 * to read Camel's and the JVM's MBeans, draw the routes and stop or start one; nothing else is allowed:
 * <ul>
 *   <li>commands {@code read}, {@code list}, {@code search}, {@code version} and {@code exec}; never {@code write};</li>
 *   <li>only the {@code org.apache.camel} and {@code java.lang} domains are visible (DiagnosticCommand,
 *       HotSpotDiagnostic, JFR and every other MBean are hidden and refused);</li>
 *   <li>{@code exec} only of a route's lifecycle ({@code start}, {@code stop}, {@code suspend}, {@code resume})
 *       and of Camel's read-only {@code dump…AsXml} operations that Hawtio draws its diagrams from, on route and
 *       context MBeans. The context's {@code sendBody}/{@code requestBody}, route updates and removals, the
 *       tracer's and debugger's message dumps (which hold plates and images) are refused;</li>
 *   <li>requests from loopback only (the agent listens on 127.0.0.1; reach it through an SSH tunnel), and a
 *       browser's cross-origin request gets no CORS grant unless its origin is this machine's loopback.</li>
 * </ul>
 */
public final class JolokiaPolicy implements Restrictor {

    static final Set<String> ROUTE_LIFECYCLE = Set.of("start", "stop", "suspend", "resume");
    /** Camel's read-only dumps of route definitions and statistics (Hawtio's route diagram and its counters). */
    static final Pattern READ_ONLY_DUMP = Pattern.compile("dump(Routes?|Steps?|Processors?)(Stats)?AsXml");

    static final Set<String> DUMP_TYPES = Set.of("context", "routes");
    private static final Set<String> VISIBLE_DOMAINS = Set.of("org.apache.camel", "java.lang");
    private static final Set<RequestType> COMMANDS =
            Set.of(RequestType.READ, RequestType.LIST, RequestType.SEARCH, RequestType.VERSION, RequestType.EXEC);
    private static final Pattern LOOPBACK_ORIGIN =
            Pattern.compile("https?://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d{1,5})?");

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return COMMANDS.contains(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return visible(name);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        if (name == null || operation == null || !"org.apache.camel".equals(name.getDomain()) || name.isPattern()) {
            return false;
        }
        String type = name.getKeyProperty("type");
        String op = operation.contains("(") ? operation.substring(0, operation.indexOf('(')) : operation;
        if ("routes".equals(type) && ROUTE_LIFECYCLE.contains(op)) {
            return true;
        }
        return DUMP_TYPES.contains(type) && READ_ONLY_DUMP.matcher(op).matches();
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        for (String h : hostOrAddress) {
            if (h == null) {
                continue;
            }
            String v = h.toLowerCase(Locale.ROOT);
            if (!(v.equals("localhost")
                    || v.startsWith("127.")
                    || v.equals("::1")
                    || v.equals("0:0:0:0:0:0:0:1")
                    || v.equals("[::1]")
                    || v.equals("ip6-localhost"))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        return origin == null
                || LOOPBACK_ORIGIN.matcher(origin.toLowerCase(Locale.ROOT)).matches();
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !visible(name);
    }

    private static boolean visible(ObjectName name) {
        return name != null && VISIBLE_DOMAINS.contains(name.getDomain());
    }
}
