package routes.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a folder, to fill a file system for real (needs root). {@link #close()}
 * unmounts it. A mount that fails throws with a clear message: a disk-full test must not pass
 * without a full disk.
 */
public final class TmpfsMount implements AutoCloseable {

    private final Path dir;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    public static TmpfsMount mount(Path dir, String size) throws Exception {
        Path abs = dir.toAbsolutePath().normalize();
        unmountQuietly(abs); // a leftover of an aborted run
        Files.createDirectories(abs);
        String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", abs.toString()));
        if (out != null) {
            throw new IllegalStateException("Cannot mount a " + size + " tmpfs on " + abs
                    + " (this test needs root to fill a real file system): " + out.strip());
        }
        return new TmpfsMount(abs);
    }

    public Path dir() {
        return dir;
    }

    /** @return null on success, else the command's output and exit code */
    private static String run(List<String> cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.toString();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
    }

    private static void unmountQuietly(Path dir) throws Exception {
        if (Files.readString(Path.of("/proc/mounts")).contains(" " + dir + " tmpfs ")) {
            run(List.of("umount", "-l", dir.toString()));
        }
    }

    @Override
    public void close() throws Exception {
        String out = run(List.of("umount", dir.toString()));
        if (out != null) {
            out = run(List.of("umount", "-l", dir.toString()));
        }
        if (out != null) {
            throw new IllegalStateException("Cannot unmount " + dir + ": " + out);
        }
    }
}
