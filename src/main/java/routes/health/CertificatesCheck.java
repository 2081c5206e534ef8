package routes.health;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import routes.store.CertificateRepository;

/** Active certificates that expire within 30 days ({@code certificates_expiring_30d}); DOWN only when they cannot be read. */
public final class CertificatesCheck extends TattileCheck {

    public static final String ID = "tattile-certificates";
    public static final String EXPIRING = "certificates_expiring_30d";

    private final CertificateRepository certificates;
    private final Clock clock;

    public CertificatesCheck(CertificateRepository certificates, Clock clock) {
        super(ID, false);
        this.certificates = certificates;
        this.clock = clock;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            builder.up().detail(EXPIRING, expiring());
        } catch (SQLException e) {
            builder.down().detail("error", e.getClass().getSimpleName());
        }
    }

    private List<Map<String, Object>> expiring() throws SQLException {
        Instant now = clock.instant();
        Instant limit = now.plus(Duration.ofDays(30));
        return certificates.list().stream()
                .filter(c -> c.active() && c.validTo() != null && c.validTo().isBefore(limit))
                .map(c -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", c.name());
                    m.put("valid_to", c.validTo().toString());
                    m.put("days_left", Duration.between(now, c.validTo()).toDays());
                    return m;
                })
                .toList();
    }
}
