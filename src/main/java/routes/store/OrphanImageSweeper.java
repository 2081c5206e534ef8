package routes.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Deletes image files that no reading references any more and that are older than a grace period:
 * what a crash between "files written" and "rows committed" leaves behind, and stale temporary files.
 * Our image names carry their reading id, so the check is a primary-key lookup. Files with other names
 * are never touched.
 */
public final class OrphanImageSweeper {

    private static final Pattern OUR_IMAGE = Pattern.compile(".*_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(?:ocr|ctx)\\.jpg");
    private static final int BATCH = 1000;

    /** What one sweep did. */
    public record Result(int orphansDeleted, int tempFilesDeleted, int directoriesDeleted) {
    }

    private final ImageStore images;
    private final DataSource dataSource;
    private final Duration grace;
    private final Clock clock;

    public OrphanImageSweeper(ImageStore images, DataSource dataSource, Duration grace, Clock clock) {
        this.images = images;
        this.dataSource = dataSource;
        this.grace = grace;
        this.clock = clock;
    }

    public Result sweep() throws IOException, SQLException {
        Path base = images.baseDir();
        if (!Files.isDirectory(base)) {
            return new Result(0, 0, 0);
        }
        long cutoff = clock.millis() - grace.toMillis();
        Map<UUID, List<Path>> candidates = new HashMap<>();
        List<Path> staleTemps = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(base)) {
            walk.forEach(p -> {
                try {
                    if (Files.isDirectory(p)) {
                        if (!p.equals(base)) {
                            dirs.add(p);
                        }
                        return;
                    }
                    if (Files.getLastModifiedTime(p).toMillis() > cutoff) {
                        return;
                    }
                    String name = p.getFileName().toString();
                    if (name.startsWith(ImageStore.TEMP_PREFIX)) {
                        staleTemps.add(p);
                        return;
                    }
                    Matcher m = OUR_IMAGE.matcher(name);
                    if (m.matches()) {
                        candidates.computeIfAbsent(UUID.fromString(m.group(1)), k -> new ArrayList<>()).add(p);
                    }
                } catch (NoSuchFileException gone) {
                    // deleted meanwhile (a reading was sent and cleaned up): nothing to do
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        int orphans = 0;
        List<UUID> ids = new ArrayList<>(candidates.keySet());
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<UUID> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            Set<UUID> referenced = existing(batch);
            for (UUID id : batch) {
                if (!referenced.contains(id)) {
                    for (Path p : candidates.get(id)) {
                        if (Files.deleteIfExists(p)) {
                            orphans++;
                        }
                    }
                }
            }
        }
        int temps = 0;
        for (Path p : staleTemps) {
            if (Files.deleteIfExists(p)) {
                temps++;
            }
        }
        int removedDirs = 0;
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : dirs) {
            try {
                if (Files.getLastModifiedTime(d).toMillis() <= cutoff && Files.deleteIfExists(d)) {
                    removedDirs++;
                }
            } catch (DirectoryNotEmptyException | NoSuchFileException notNow) {
                // still in use, or already gone
            }
        }
        return new Result(orphans, temps, removedDirs);
    }

    private Set<UUID> existing(List<UUID> ids) throws SQLException {
        Set<UUID> found = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM alpr_readings WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return found;
    }
}
