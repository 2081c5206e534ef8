package routes.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * When each camera last sent a reading, and what it is expected to send: written for many cameras in one statement
 * (the ingest's periodic flush), read for {@code admin camera list}, {@code admin status} and {@code /metrics}.
 */
public final class CameraActivityRepository {

    /** A camera's latest stored reading: when it was received and the address it came from (null when unknown). */
    public record Seen(Instant at, String sourceAddress) {}

    /**
     * A registered camera as the fleet views show it. {@code expectSeconds} is its own expectation (null: the
     * default, 0: not watched); {@code active} is false when the camera or its municipality is inactive.
     */
    public record CameraStatus(
            UUID id,
            String serial,
            String municipality,
            boolean active,
            Instant lastReadingAt,
            String lastSourceAddress,
            Integer expectSeconds,
            Instant createdAt) {

        /** The silence allowed before it is reported, in seconds: its own, else the default; 0 when not watched. */
        public long allowedSilenceSeconds(long defaultSeconds) {
            return active ? CameraSilence.allowed(expectSeconds, defaultSeconds) : 0;
        }

        /** Seconds since its latest reading (since it was registered, when it never sent one). */
        public long silentForSeconds(Instant now) {
            return CameraSilence.silentFor(lastReadingAt, createdAt, now);
        }

        /** Watched, and silent for longer than allowed. */
        public boolean silent(Instant now, long defaultSeconds) {
            long allowed = allowedSilenceSeconds(defaultSeconds);
            return allowed > 0 && silentForSeconds(now) > allowed;
        }
    }

    private final DataSource dataSource;

    public CameraActivityRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records the latest reading of each camera in one statement. A camera's time only moves forward (another
     * instance may have written a later reading), and its address goes with its time.
     */
    public void record(Map<UUID, Seen> latest) throws SQLException {
        if (latest.isEmpty()) {
            return;
        }
        String sql = """
                UPDATE cameras c SET last_reading_at = v.at, last_source_address = v.address
                FROM unnest(?::uuid[], ?::timestamptz[], ?::inet[]) AS v(id, at, address)
                WHERE c.id = v.id AND (c.last_reading_at IS NULL OR c.last_reading_at < v.at)""";
        UUID[] ids = new UUID[latest.size()];
        Timestamp[] times = new Timestamp[latest.size()];
        String[] addresses = new String[latest.size()];
        int i = 0;
        for (var e : latest.entrySet()) {
            ids[i] = e.getKey();
            times[i] = Timestamp.from(e.getValue().at());
            addresses[i] = e.getValue().sourceAddress();
            i++;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            Array idArray = c.createArrayOf("uuid", ids);
            Array timeArray = c.createArrayOf("timestamptz", times);
            Array addressArray = c.createArrayOf("text", addresses);
            ps.setArray(1, idArray);
            ps.setArray(2, timeArray);
            ps.setArray(3, addressArray);
            ps.executeUpdate();
        }
    }

    /** Every registered camera, by serial. */
    public List<CameraStatus> fleet() throws SQLException {
        String sql = """
                SELECT c.id, c.serial_number, m.name, c.active AND m.active, c.last_reading_at, host(c.last_source_address),
                    c.expect_readings_within_seconds, c.created_at
                FROM cameras c JOIN municipalities m ON m.id = c.municipality_id
                ORDER BY c.serial_number""";
        List<CameraStatus> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp last = rs.getTimestamp(5);
                out.add(new CameraStatus(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        last == null ? null : last.toInstant(),
                        rs.getString(6),
                        rs.getObject(7, Integer.class),
                        rs.getTimestamp(8).toInstant()));
            }
        }
        return out;
    }
}
