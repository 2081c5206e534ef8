package routes.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.store.ImageStorage;
import routes.store.ImageStorageUnavailableException;
import routes.store.OrphanImageSweeper;

/** {@code admin images …}: the image store (the folder, or the S3 bucket). */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description = "Manage the image store (IMAGES_BASE_DIR, or the S3 bucket with IMAGE_STORE=s3).",
        subcommands = ImagesCommand.PurgeOrphans.class)
public class ImagesCommand {

    @Command(
            name = "purge-orphans",
            mixinStandardHelpOptions = true,
            description =
                    "Delete now what the maintenance flow deletes on its schedule: image files (or S3 objects) no reading "
                            + "references, stale temporary files and empty folders, older than the grace period.")
    static class PurgeOrphans implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--grace-minutes",
                paramLabel = "M",
                description =
                        "Only files older than this (default: IMAGES_ORPHAN_GRACE_MINUTES); keeps images of readings being stored")
        Integer graceMinutes;

        @Override
        public Integer call() throws Exception {
            if (graceMinutes != null && graceMinutes < 1) {
                throw new CommandFailedException("--grace-minutes must be 1 or more (got " + graceMinutes + ")");
            }
            var settings = config.settings();
            int grace = graceMinutes != null ? graceMinutes : settings.integer(Setting.IMAGES_ORPHAN_GRACE_MINUTES);
            try (var ds = AdminDatabase.open(settings);
                    ImageStorage images = AdminSupport.images(settings)) {
                OrphanImageSweeper.Result result;
                try {
                    result = new OrphanImageSweeper(images, ds, Duration.ofMinutes(grace), Clock.systemUTC()).sweep();
                } catch (ImageStorageUnavailableException e) {
                    throw new CommandFailedException(
                            "The image store cannot be used (" + images.describe() + "): " + e.getMessage());
                }
                spec.commandLine()
                        .getOut()
                        .println("Orphan images deleted: " + result.orphansDeleted() + " (temporary files: "
                                + result.tempFilesDeleted() + ", empty folders: " + result.directoriesDeleted()
                                + ", grace " + grace + " min)");
                return 0;
            }
        }
    }
}
