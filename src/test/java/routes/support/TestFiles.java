package routes.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Folders the tests fill with images. */
public final class TestFiles {

    private TestFiles() {}

    public static void deleteTree(Path base) throws IOException {
        if (Files.exists(base)) {
            try (Stream<Path> s = Files.walk(base)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public static List<Path> regularFiles(Path base) throws IOException {
        if (!Files.exists(base)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
