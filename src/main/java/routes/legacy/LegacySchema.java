package routes.legacy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a database is an old TattileSender schema at the one Alembic revision the import understands
 * ({@code 0006_camera_last_sent}, the head of Lasarikoo/TattileSender at commit 45f6101), naming what is missing.
 */
public final class LegacySchema {

    /** The head revision of the old product's six migrations. */
    public static final String SUPPORTED_REVISION = "0006_camera_last_sent";
    /** Its earlier revisions, oldest first: an installation on one of these must finish its own upgrade first. */
    static final List<String> OLDER_REVISIONS = List.of(
            "0001_initial_schema", "0002_sender_phase2", "0003_utm_cert_key", "0004_coord_paths", "0005_client_cert");

    /** The tables and the columns the import reads. */
    static final Map<String, List<String>> READ = new LinkedHashMap<>();

    static {
        READ.put("municipalities", List.of("id", "name", "code", "endpoint_id", "active"));
        READ.put("endpoints", List.of("id", "name", "url", "timeout_ms", "retry_max", "retry_backoff_ms"));
        READ.put(
                "certificates",
                List.of(
                        "id",
                        "name",
                        "alias",
                        "type",
                        "path",
                        "client_cert_path",
                        "key_path",
                        "pfx_path",
                        "privpub_path",
                        "public_cert_path",
                        "municipality_id",
                        "active"));
        READ.put(
                "cameras",
                List.of(
                        "id",
                        "serial_number",
                        "codigo_lector",
                        "description",
                        "municipality_id",
                        "endpoint_id",
                        "certificate_id",
                        "active",
                        "coord_x",
                        "coord_y",
                        "utm_x",
                        "utm_y"));
        READ.put(
                "alpr_readings",
                List.of(
                        "id",
                        "camera_id",
                        "device_sn",
                        "plate",
                        "timestamp_utc",
                        "direction",
                        "lane_id",
                        "lane_descr",
                        "ocr_score",
                        "country_code",
                        "country",
                        "bbox_min_x",
                        "bbox_min_y",
                        "bbox_max_x",
                        "bbox_max_y",
                        "char_height",
                        "has_image_ocr",
                        "has_image_ctx",
                        "image_ocr_path",
                        "image_ctx_path",
                        "created_at"));
        READ.put(
                "messages_queue",
                List.of(
                        "id",
                        "reading_id",
                        "status",
                        "attempts",
                        "last_error",
                        "created_at",
                        "updated_at",
                        "next_retry_at"));
    }

    private LegacySchema() {}

    /** Throws a one-line {@link LegacyImportException} unless every table and column is there at the supported revision. */
    public static void check(Connection old, String database) throws SQLException {
        Map<String, Set<String>> present = columns(old);
        if (!present.containsKey("alembic_version")) {
            throw new LegacyImportException(
                    "Database " + database + " is not a TattileSender schema: table alembic_version is missing");
        }
        for (Map.Entry<String, List<String>> table : READ.entrySet()) {
            Set<String> have = present.get(table.getKey());
            if (have == null) {
                throw new LegacyImportException("Database " + database + " is not a TattileSender schema: table "
                        + table.getKey() + " is missing");
            }
            for (String column : table.getValue()) {
                if (!have.contains(column)) {
                    throw new LegacyImportException("Database " + database + " is not a TattileSender schema: column "
                            + table.getKey() + "." + column + " is missing");
                }
            }
        }
        String revision = revision(old);
        if (!SUPPORTED_REVISION.equals(revision)) {
            String which = OLDER_REVISIONS.contains(revision) ? "an older" : "a newer or unknown";
            throw new LegacyImportException(
                    "Database " + database + " is at Alembic revision " + (revision == null ? "(none)" : revision)
                            + ", " + which + " schema than supported (" + SUPPORTED_REVISION + ")"
                            + (OLDER_REVISIONS.contains(revision)
                                    ? ": run the old product's 'alembic upgrade head' first"
                                    : ""));
        }
    }

    private static String revision(Connection old) throws SQLException {
        try (PreparedStatement ps = old.prepareStatement("SELECT version_num FROM alembic_version");
                ResultSet rs = ps.executeQuery()) {
            String found = null;
            while (rs.next()) {
                if (found != null) {
                    return found + "+" + rs.getString(1); // several heads: not a revision the import knows
                }
                found = rs.getString(1);
            }
            return found;
        }
    }

    private static Map<String, Set<String>> columns(Connection old) throws SQLException {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        try (PreparedStatement ps = old.prepareStatement("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema()""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), t -> new HashSet<>()).add(rs.getString(2));
            }
        }
        return tables;
    }
}
