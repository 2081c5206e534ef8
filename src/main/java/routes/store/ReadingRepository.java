package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.UUID;
import javax.sql.DataSource;

/** Writes readings and their queue rows. */
public final class ReadingRepository {

    /**
     * One statement, so one transaction: the reading and its PENDING queue row are inserted together,
     * or neither is. A reading already stored (same device, plate and time) inserts nothing.
     */
    private static final String INSERT = """
            WITH reading AS (
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, device_name, direction, lane_id,
                    lane_descr, ocr_score, country_code, country, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y,
                    char_height, has_image_ocr, has_image_ctx, image_ocr_path, image_ctx_path, raw_xml, camera_id, source_address)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::inet)
                ON CONFLICT ON CONSTRAINT alpr_readings_unique_reading DO NOTHING
                RETURNING id)
            INSERT INTO messages_queue (reading_id, status, next_attempt_at)
            SELECT id, 'PENDING', now() FROM reading
            """;

    private final DataSource dataSource;

    public ReadingRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return true when stored, false when the same reading was already there */
    public boolean insert(NewReading r, String ocrPath, String ctxPath) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(INSERT)) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            int i = 1;
            ps.setObject(i++, r.id());
            ps.setString(i++, r.plate());
            ps.setTimestamp(i++, Timestamp.from(r.timestampUtc()));
            ps.setString(i++, r.deviceSn());
            ps.setString(i++, r.deviceName());
            ps.setString(i++, r.direction());
            setInt(ps, i++, r.laneId());
            ps.setString(i++, r.laneDescr());
            ps.setBigDecimal(i++, r.ocrScore());
            ps.setString(i++, r.countryCode());
            ps.setString(i++, r.country());
            setInt(ps, i++, r.bboxMinX());
            setInt(ps, i++, r.bboxMinY());
            setInt(ps, i++, r.bboxMaxX());
            setInt(ps, i++, r.bboxMaxY());
            setInt(ps, i++, r.charHeight());
            ps.setBoolean(i++, ocrPath != null);
            ps.setBoolean(i++, ctxPath != null);
            ps.setString(i++, ocrPath);
            ps.setString(i++, ctxPath);
            ps.setString(i++, r.rawXml());
            ps.setObject(i++, r.cameraId());
            ps.setString(i, r.sourceAddress());
            return ps.executeUpdate() == 1;
        }
    }

    /** Whether a reading with this id is stored (a retried insert whose first commit's reply was lost). */
    public boolean isStored(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM alpr_readings WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
