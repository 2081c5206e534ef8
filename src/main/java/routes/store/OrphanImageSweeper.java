package routes.store;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Deletes image files that no reading references any more and that are older than a grace period:
 * what a crash between "files written" and "rows committed" leaves behind, and stale temporary files.
 * Our image names carry their reading id, so the check is a primary-key lookup. Files with other names
 * are never touched. In a folder it walks the tree (and removes stale temporary files and empty folders); in
 * an S3 bucket it lists the prefix, a page at a time, and checks each page's reading ids at once.
 */
public final class OrphanImageSweeper {

    private static final Pattern OUR_IMAGE =
            Pattern.compile(".*_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(?:ocr|ctx)\\.jpg");
    private static final int BATCH = 1000;

    /** What one sweep did. */
    public record Result(int orphansDeleted, int tempFilesDeleted, int directoriesDeleted) {}

    private final ImageStorage images;
    private final DataSource dataSource;
    private final Duration grace;
    private final Clock clock;
    private final Consumer<Path> visited;

    public OrphanImageSweeper(ImageStorage images, DataSource dataSource, Duration grace, Clock clock) {
        this(images, dataSource, grace, clock, file -> {});
    }

    /** With a callback for each file the walk visits (tests: to delete files while the walk runs). */
    OrphanImageSweeper(
            ImageStorage images, DataSource dataSource, Duration grace, Clock clock, Consumer<Path> visited) {
        this.visited = visited;
        this.images = images;
        this.dataSource = dataSource;
        this.grace = grace;
        this.clock = clock;
    }

    public Result sweep() throws IOException, SQLException {
        if (images instanceof S3ImageStore bucket) {
            return sweepBucket(bucket);
        }
        return sweepFolder((ImageStore) images);
    }

    /** Objects of readings that never committed (or whose delete failed), older than the grace period. */
    private Result sweepBucket(S3ImageStore bucket) throws IOException, SQLException {
        int[] orphans = {0};
        bucket.listOlderThan(clock.instant().minus(grace), keys -> {
            Map<UUID, List<String>> candidates = new HashMap<>();
            for (String key : keys) {
                Matcher m = OUR_IMAGE.matcher(key.substring(key.lastIndexOf('/') + 1));
                if (m.matches()) {
                    candidates
                            .computeIfAbsent(UUID.fromString(m.group(1)), k -> new ArrayList<>())
                            .add(key);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            Set<UUID> referenced = existing(new ArrayList<>(candidates.keySet()));
            for (var e : candidates.entrySet()) {
                if (!referenced.contains(e.getKey())) {
                    for (String key : e.getValue()) {
                        if (bucket.delete(key)) {
                            orphans[0]++;
                        }
                    }
                }
            }
        });
        return new Result(orphans[0], 0, 0);
    }

    private Result sweepFolder(ImageStore images) throws IOException, SQLException {
        Path base = images.baseDir();
        if (!Files.isDirectory(base)) {
            return new Result(0, 0, 0);
        }
        long cutoff = clock.millis() - grace.toMillis();
        Map<UUID, List<Path>> candidates = new HashMap<>();
        List<Path> staleTemps = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(base)) {
                    dirs.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                visited.accept(file);
                if (attrs.isDirectory() || attrs.lastModifiedTime().toMillis() > cutoff) {
                    return FileVisitResult.CONTINUE;
                }
                String name = file.getFileName().toString();
                if (name.startsWith(ImageStore.TEMP_PREFIX)) {
                    staleTemps.add(file);
                    return FileVisitResult.CONTINUE;
                }
                Matcher m = OUR_IMAGE.matcher(name);
                if (m.matches()) {
                    candidates
                            .computeIfAbsent(UUID.fromString(m.group(1)), k -> new ArrayList<>())
                            .add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            /** A file or folder deleted while the walk reaches it (a reading delivered meanwhile): skipped. */
            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
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
