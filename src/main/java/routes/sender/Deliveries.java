package routes.sender;

import java.util.Map;

/** Turns claim rows into {@link Delivery} values with the configured defaults. */
public final class Deliveries {

    private final Delivery.Defaults defaults;

    public Deliveries(Delivery.Defaults defaults) {
        this.defaults = defaults;
    }

    public Delivery fromClaim(Map<String, Object> row) {
        return Delivery.fromClaim(row, defaults);
    }
}
