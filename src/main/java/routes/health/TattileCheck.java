package routes.health;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check of this application in Camel's health-check registry (group {@code tattile}). None is a liveness check: a
 * database or Mossos outage is waited out, not a reason to restart the process. Readiness checks are the ones
 * {@code /health/ready} answers with; the others give {@code /health} its figures.
 */
abstract class TattileCheck extends AbstractHealthCheck {

    private final boolean readiness;

    TattileCheck(String id, boolean readiness) {
        super("tattile", id);
        this.readiness = readiness;
    }

    @Override
    public final boolean isLiveness() {
        return false;
    }

    @Override
    public final boolean isReadiness() {
        return readiness;
    }
}
