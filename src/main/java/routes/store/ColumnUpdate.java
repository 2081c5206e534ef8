package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** One UPDATE of the columns an operator's changes name (and updated_at), of the row whose key column equals a key. */
final class ColumnUpdate {

    private final String table;
    private final String keyColumn;
    private final Map<String, Object> set = new LinkedHashMap<>();

    /** Table and column names come from the repositories, never from input. */
    ColumnUpdate(String table, String keyColumn) {
        this.table = table;
        this.keyColumn = keyColumn;
    }

    /** Sets the column to the change's value; an absent change leaves it alone. */
    ColumnUpdate put(String column, Change<?> change) {
        if (change != null) {
            set.put(column, change.value());
        }
        return this;
    }

    /** @return false when there is no row with that key (with nothing to change, whether there is one) */
    boolean run(DataSource dataSource, String key) throws SQLException {
        if (set.isEmpty()) {
            return Jdbc.id(dataSource, "SELECT id FROM " + table + " WHERE " + keyColumn + " = ?", key)
                    .isPresent();
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
        for (String column : set.keySet()) {
            sql.append(column).append(column.equals("allowed_sources") ? " = ?::cidr[], " : " = ?, ");
        }
        sql.append("updated_at = now() WHERE ").append(keyColumn).append(" = ?");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (Object v : set.values()) {
                if (v == null) {
                    ps.setNull(i++, Types.NULL);
                } else if (v instanceof UUID) {
                    ps.setObject(i++, v, Types.OTHER);
                } else if (v instanceof List<?> list) {
                    ps.setArray(i++, c.createArrayOf("varchar", list.toArray()));
                } else {
                    ps.setObject(i++, v);
                }
            }
            ps.setString(i, key);
            return ps.executeUpdate() == 1;
        }
    }
}
