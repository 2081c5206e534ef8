package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

    private static final UUID ID = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    @Test
    void pathFollowsTheDocumentedLayoutInUtc() {
        String p = ImageStore.relativePath(
                "2001008851", "3060LFW", Instant.parse("2026-03-29T01:30:15.250Z"), ID, ImageStore.Kind.OCR);
        assertThat(p).isEqualTo("2001008851/2026/03/29/20260329013015250_plate-3060LFW_" + ID + "_ocr.jpg");
    }

    @Test
    void hostileSerialsAndPlatesCannotLeaveTheBaseFolder() {
        String p = ImageStore.relativePath("../../etc", "../x/\u0000", Instant.EPOCH, ID, ImageStore.Kind.CTX);
        assertThat(p).startsWith("______etc/1970/01/01/").doesNotContain("..").endsWith("_ctx.jpg");
        assertThat(ImageStore.safeComponent("")).isEqualTo("_");
        assertThat(ImageStore.safeComponent("A".repeat(100))).hasSize(64);
    }

    @Test
    void resolveRefusesAnythingOutsideTheBaseFolder(@TempDir Path dir) {
        ImageStore store = new ImageStore(dir, false);
        assertThatThrownBy(() -> store.resolve("../outside.jpg")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.resolve("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.resolve("a/../../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.resolve(".")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.resolve("a/b.jpg")).isEqualTo(dir.toAbsolutePath().resolve("a/b.jpg"));
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        ImageStore store = new ImageStore(dir, true);
        store.write("SN/2026/01/01/x_ocr.jpg", new byte[] {1, 2, 3});
        assertThat(store.read("SN/2026/01/01/x_ocr.jpg")).containsExactly(1, 2, 3);
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactly("x_ocr.jpg");
        }
        assertThat(store.delete("SN/2026/01/01/x_ocr.jpg")).isTrue();
        assertThat(store.delete("SN/2026/01/01/x_ocr.jpg")).isFalse();
        assertThat(store.delete(null)).isFalse();
    }

    @Test
    void aRewriteReplacesTheTemporaryFileOfAWriterKilledMidWriteWhereAWriteIsRefused(@TempDir Path dir)
            throws Exception {
        ImageStore store = new ImageStore(dir, false);
        String rel = "SN1/2026/11/27/20261127082149000_plate-0187XYZ_6f0e8bdb-a695-3671-9697-0a8c115d3b75_ctx.jpg";
        Path target = store.resolve(rel);
        Files.createDirectories(target.getParent());
        Path leftOver = target.resolveSibling(".tmp-" + target.getFileName());
        Files.write(leftOver, new byte[] {1, 2});
        assertThatThrownBy(() -> store.write(rel, new byte[] {7})).isInstanceOf(FileAlreadyExistsException.class);
        store.rewrite(rel, new byte[] {7, 8, 9});
        assertThat(target).hasBinaryContent(new byte[] {7, 8, 9});
        assertThat(leftOver).doesNotExist();
    }

    @Test
    void aFailedWriteLeavesNothingBehind(@TempDir Path dir) throws Exception {
        ImageStore store = new ImageStore(dir, false);
        Files.createDirectories(dir.resolve("SN/d"));
        Files.createDirectory(dir.resolve("SN/d/taken.jpg")); // a directory where the file should go: rename fails
        assertThatThrownBy(() -> store.write("SN/d/taken.jpg", new byte[] {1})).isInstanceOf(IOException.class);
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }
}
