package routes.legacy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a path written in an old row points today. The old product stored absolute paths, paths relative to its working
 * directory (certificates) or to IMAGES_BASE_DIR (images), and the older {@code data/images/...} form; when the operator
 * moved a folder and says so with {@code --images-dir} or {@code --certs-dir}, an absolute path under the old folder is
 * looked for under the new one.
 */
record LegacyFiles(Path workingDirectory, Path oldFolder, Path folder) {

    /**
     * An image path the way the old sender resolved it ({@code app/utils/images.py}): absolute as is; a leading
     * {@code data/images/} stripped; otherwise under IMAGES_BASE_DIR.
     */
    Path image(String stored) {
        if (stored == null || stored.isBlank()) {
            return null;
        }
        Path p = Path.of(stored);
        if (p.isAbsolute()) {
            return moved(p.normalize());
        }
        String raw = stored.startsWith("data/images/") ? stored.substring("data/images/".length()) : stored;
        return folder.resolve(raw).normalize();
    }

    /** A certificate file path: absolute as is (or under the moved folder), relative to the old working directory. */
    Path certificate(String stored) {
        if (stored == null || stored.isBlank()) {
            return null;
        }
        Path p = Path.of(stored);
        if (!p.isAbsolute()) {
            Path fromWorkingDirectory = workingDirectory.resolve(p).normalize();
            if (Files.exists(fromWorkingDirectory) || folder.equals(oldFolder)) {
                return fromWorkingDirectory;
            }
            // relative to the old working directory, which is no longer where the certificates are: try the new folder
            return candidates(fromWorkingDirectory).stream()
                    .filter(Files::exists)
                    .findFirst()
                    .orElse(fromWorkingDirectory);
        }
        return moved(p.normalize());
    }

    private Path moved(Path p) {
        if (Files.exists(p) || folder.equals(oldFolder)) {
            return p;
        }
        return candidates(p).stream().filter(Files::exists).findFirst().orElse(p);
    }

    /** The same file under the new folder: by its place under the old folder, else by its own folder's name. */
    private List<Path> candidates(Path p) {
        List<Path> out = new ArrayList<>();
        if (p.startsWith(oldFolder)) {
            out.add(folder.resolve(oldFolder.relativize(p)).normalize());
        }
        if (p.getParent() != null && p.getParent().getFileName() != null) {
            out.add(folder.resolve(p.getParent().getFileName())
                    .resolve(p.getFileName())
                    .normalize());
        }
        return out;
    }
}
