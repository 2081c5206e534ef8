package routes.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A fingerprint of an old installation: its database (table list, column definitions, every table's rows) and every
 * file and folder under some roots (size, sha256, mode, mtime, owner). Equal fingerprints before and after an import
 * prove the import changed nothing there.
 */
final class LegacyFingerprint {

    private LegacyFingerprint() {}

    /**
     * Keys: {@code db:tables}, {@code db:columns}, {@code db:rows:<table>} (sha256 of {@code SELECT t::text ... ORDER
     * BY id}, {@code version_num} for alembic_version, UTC session time zone), then {@code dir:} / {@code file:} /
     * {@code link:} + the path relative to {@code base} for everything under {@code roots}.
     */
    static SortedMap<String, String> of(Connection db, Path base, List<Path> roots) throws SQLException, IOException {
        SortedMap<String, String> print = new TreeMap<>();
        database(db, print);
        for (Path root : roots) {
            files(base, root, print);
        }
        return print;
    }

    private static void database(Connection db, SortedMap<String, String> print) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
        List<String> tables = strings(
                db,
                "SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = 'public' ORDER BY table_name");
        print.put("db:tables", String.join(",", tables));
        print.put(
                "db:columns",
                sha256(
                        String.join(
                                "\n",
                                strings(
                                        db,
                                        "SELECT concat_ws('|', table_name, ordinal_position, "
                                                + "column_name, data_type, character_maximum_length, is_nullable, column_default) "
                                                + "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"))));
        for (String table : tables) {
            String order = hasIdColumn(db, table) ? "id" : "1";
            String quoted = '"' + table.replace("\"", "\"\"") + '"';
            print.put(
                    "db:rows:" + table,
                    sha256(String.join("\n", strings(db, "SELECT t::text FROM " + quoted + " t ORDER BY " + order))));
        }
    }

    private static boolean hasIdColumn(Connection db, String table) throws SQLException {
        try (var ps = db.prepareStatement("SELECT 1 FROM information_schema.columns "
                + "WHERE table_schema = 'public' AND table_name = ? AND column_name = 'id'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<String> strings(Connection db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(String.valueOf(rs.getString(1)));
            }
        }
        return out;
    }

    private static void files(Path base, Path root, SortedMap<String, String> print) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            print.put("missing:" + base.relativize(root), "");
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                print.put(kind(p) + ":" + base.relativize(p), describe(p));
            }
        }
    }

    private static String kind(Path p) {
        if (Files.isSymbolicLink(p)) {
            return "link";
        }
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file";
    }

    /** mode, owner, mtime; plus size and sha256 for a file, the target for a link. */
    private static String describe(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String common = "mode=" + PosixFilePermissions.toString(a.permissions()) + " owner="
                + a.owner().getName() + " mtime=" + a.lastModifiedTime();
        if (a.isSymbolicLink()) {
            return common + " target=" + Files.readSymbolicLink(p);
        }
        if (a.isDirectory()) {
            return common;
        }
        return common + " size=" + a.size() + " sha256=" + sha256(p);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
