package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import routes.store.QueueRepository.Removed;

/** The small JDBC steps the store's repositories share: look-ups by key, one transaction, counts and row lists by id, timestamps. */
final class Jdbc {

    /** What runs inside {@link #inTransaction}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** What one row of a result becomes. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private Jdbc() {}

    /** Runs the work in one transaction; a refusal (nothing changed) is simply committed empty. */
    static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** The id the query (one string parameter) finds, on a connection of its own. */
    static Optional<UUID> id(DataSource dataSource, String sql, String key) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return id(c, sql, key);
        }
    }

    /** The id the query (one string parameter) finds, on the given connection (in its transaction, with its locks). */
    static Optional<UUID> id(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    static long count(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The rows the query (one id parameter) returns, each read by {@code row}. */
    static <T> List<T> rows(Connection c, String sql, UUID id, Row<T> row) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
        }
        return out;
    }

    static List<String> names(Connection c, String sql, UUID id) throws SQLException {
        return rows(c, sql, id, rs -> rs.getString(1));
    }

    static void execute(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    /** Runs a DELETE of readings … RETURNING id, image_ocr_path, image_ctx_path: the readings removed, with their image paths. */
    static List<Removed> deleteReadings(Connection c, String sql, UUID id) throws SQLException {
        return rows(c, sql, id, rs -> new Removed(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
