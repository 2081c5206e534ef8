package routes.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import routes.support.TestFiles;

/**
 * Hostile serials and plates (path traversal, absolute paths, separators, NUL, any Unicode, very long)
 * against the image path code: 2,000 images written from generated names and 2,000 generated relative paths
 * resolved. No file is ever created outside IMAGES_BASE_DIR, and resolving never returns a path outside it.
 */
class ImagePathFuzzTest {

    private static final Path ROOT = Path.of("target/image-path-fuzz").toAbsolutePath();
    private static final Path BASE = ROOT.resolve("images");
    private static final ImageStore STORE = new ImageStore(BASE, false);

    @BeforeContainer
    static void folders() throws Exception {
        TestFiles.deleteTree(ROOT);
        Files.createDirectories(BASE);
    }

    @AfterContainer
    static void nothingWasWrittenOutsideTheBaseFolder() throws Exception {
        try (Stream<Path> all = Files.walk(ROOT)) {
            assertThat(all.filter(Files::isRegularFile).filter(p -> !p.startsWith(BASE)))
                    .isEmpty();
        }
        TestFiles.deleteTree(ROOT);
    }

    @Property(tries = 2000)
    void imagesOfHostileSerialsAndPlatesAreWrittenInsideTheBaseFolder(
            @ForAll("hostile") String serial, @ForAll("hostile") String plate) throws Exception {
        String relative = ImageStore.relativePath(
                serial, plate, Instant.parse("2026-03-29T01:30:00Z"), UUID.randomUUID(), ImageStore.Kind.OCR);
        STORE.write(relative, new byte[] {1, 2, 3});

        Path written = STORE.resolve(relative);
        assertThat(written).startsWithRaw(BASE).isRegularFile();
        assertThat(BASE.relativize(written).getNameCount()).isEqualTo(5); // <SN>/YYYY/MM/DD/<file>
        assertThat(STORE.delete(relative)).isTrue();
    }

    @Property(tries = 2000)
    void resolvingAnyRelativePathNeverLeavesTheBaseFolder(@ForAll("hostile") String relative) {
        try {
            assertThat(STORE.resolve(relative)).startsWithRaw(BASE).isNotEqualTo(BASE);
        } catch (IllegalArgumentException refused) { // InvalidPathException (NUL…) is one too
            // refused: fine
        }
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "..",
                        "../..",
                        "../../etc/passwd",
                        "/etc/passwd",
                        "/",
                        ".",
                        "a/../../b",
                        "..\\..\\windows",
                        "~root",
                        "C:\\x",
                        "\u0000",
                        "a\u0000b",
                        "%2e%2e%2f",
                        "\u202e",
                        "ñ€",
                        "",
                        " "),
                Arbitraries.strings().withChars("./\\\u0000%~:*?\"<>|").ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars('-', '_', '.', '/')
                        .ofMaxLength(120));
    }
}
