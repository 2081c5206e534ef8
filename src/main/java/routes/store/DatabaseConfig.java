package routes.store;

/**
 * How to reach the database, as plain values: the store knows nothing of the settings model that fills them
 * ({@code routes.config.Settings#database()}).
 *
 * @param ownerUser empty with one role (DB_USER owns the schema and migrates); otherwise the owner role that migrates
 */
public record DatabaseConfig(
        String jdbcUrl,
        String name,
        String user,
        String password,
        int poolSize,
        int connectTimeoutMs,
        boolean migrateOnStart,
        String ownerUser) {

    /** True when DB_OWNER_USER is set: the owner migrates, DB_USER only reads and writes data. */
    public boolean separateRoles() {
        return !ownerUser.isEmpty();
    }

    @Override
    public String toString() {
        return "DatabaseConfig[" + jdbcUrl + ", user " + user + (separateRoles() ? ", owner " + ownerUser : "") + "]";
    }
}
