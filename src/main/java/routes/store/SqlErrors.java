package routes.store;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/** What a database error means for the caller: the flows meet only here, in the store. */
public final class SqlErrors {

    private SqlErrors() {}

    /** Connection problems, server shutting down or out of resources, serialization conflicts: worth trying again. */
    public static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException) {
            return true;
        }
        String state = e.getSQLState();
        return state == null
                || state.startsWith("08")
                || state.startsWith("57P")
                || state.startsWith("53")
                || state.equals("40001")
                || state.equals("40P01");
    }
}
