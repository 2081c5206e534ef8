package routes.admin;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.InvalidSettingException;
import routes.config.Setting;
import routes.config.Settings;
import routes.store.ImageMigration;
import routes.store.ImageStorage;
import routes.store.ImageStorageUnavailableException;
import routes.store.ImageStore;
import routes.store.OrphanImageSweeper;
import routes.store.S3Config;
import routes.store.S3ImageStore;

/** {@code admin images …}: the image store (the folder, or the S3 bucket). */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description = "Manage the image store (IMAGES_BASE_DIR, or the S3 bucket with IMAGE_STORE=s3).",
        subcommands = {ImagesCommand.PurgeOrphans.class, ImagesCommand.Migrate.class})
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

    /**
     * {@code admin images migrate --to s3}: copies the images of the readings still in the database from the folder to
     * the bucket, so that a single host can move to IMAGE_STORE=s3 without losing a reading. The source is always the
     * folder IMAGES_BASE_DIR and the target the bucket of the S3_* settings, whatever IMAGE_STORE says (it runs while
     * it still says folder, and again once it says s3). Exit 0: every image is in the bucket; 1: it could not run, or
     * stopped (one line says why; bad arguments and settings too, so that 2 never means anything else); 2: it finished,
     * and the report lists what needs the operator.
     */
    @Command(
            name = "migrate",
            mixinStandardHelpOptions = true,
            exitCodeOnInvalidInput = 1,
            description = {
                "Copy the images of every reading still in the database (PENDING, SENDING, FAILED and DEAD) from the folder"
                        + " IMAGES_BASE_DIR to the S3 bucket of the S3_* settings, under the same keys (with S3_PREFIX),"
                        + " whatever IMAGE_STORE says. Nothing is overwritten and nothing local is deleted.",
                "Run it again at any time: an object already in the bucket with the same bytes is skipped, so a run"
                        + " stopped half-way resumes; an object with other bytes is a conflict, left as it is.",
                "Exit status: 0 done; 1 not done or stopped (the error says why; run it again); 2 done, with conflicts,"
                        + " missing or unreadable files that need the operator."
            })
    static class Migrate implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "STORE",
                description = "Where to copy the images: s3 (the only target; the folder is always the source)")
        String to;

        @Option(
                names = "--dry-run",
                description = "Compare with the bucket and count what would be copied; write nothing")
        boolean dryRun;

        @Option(names = "--json", description = "The report as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (!"s3".equals(to.strip().toLowerCase(Locale.ROOT))) {
                throw new CommandFailedException("--to " + to + " is not a target: use --to s3 (the images are copied"
                        + " from the folder IMAGES_BASE_DIR to the bucket of the S3_* settings)");
            }
            Settings settings;
            S3Config s3;
            try {
                settings = config.settings();
                s3 = settings.s3("admin images migrate --to s3");
            } catch (InvalidSettingException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 1;
            }
            Path base = settings.path(Setting.IMAGES_BASE_DIR);
            if (!Files.isDirectory(base)) {
                throw new CommandFailedException(
                        "IMAGES_BASE_DIR '" + base + "' is not a folder: it is where the images are copied from");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (var ds = AdminDatabase.open(settings);
                    S3ImageStore bucket = new S3ImageStore(s3)) {
                try {
                    bucket.check();
                } catch (ImageStorageUnavailableException e) {
                    throw new CommandFailedException("The bucket cannot be used: " + e.getMessage());
                }
                ImageStore folder = new ImageStore(base, false);
                var report = new ImageMigration.Report(dryRun);
                try {
                    new ImageMigration(ds, folder, bucket).run(report, soFar -> {
                        if (!json && soFar.readings() % ImageMigration.BATCH == 0) {
                            out.println("... " + AdminSupport.plural(soFar.readings(), "reading", "readings")
                                    + " checked, " + soFar.copied() + (dryRun ? " to copy" : " copied"));
                            out.flush();
                        }
                    });
                } catch (ImageStorageUnavailableException e) {
                    throw new CommandFailedException("Stopped after " + report.readings() + " readings ("
                            + report.copied() + " images copied): " + e.getMessage()
                            + "; run it again: what is in the bucket already is checked and skipped");
                }
                if (json) {
                    AdminSupport.printJson(spec, toJson(report, folder, bucket));
                } else {
                    printText(out, report, folder, bucket);
                }
                out.flush();
                return report.needsOperator() ? 2 : 0;
            }
        }

        private static Map<String, Object> toJson(ImageMigration.Report r, ImageStore folder, S3ImageStore bucket) {
            return AdminSupport.object(
                    "dryRun",
                    r.dryRun(),
                    "from",
                    folder.describe(),
                    "to",
                    bucket.describe(),
                    "readings",
                    r.readings(),
                    "readingsByStatus",
                    r.readingsByStatus(),
                    "images",
                    r.images(),
                    r.dryRun() ? "wouldCopy" : "copied",
                    r.copied(),
                    r.dryRun() ? "wouldCopyBytes" : "copiedBytes",
                    r.bytesCopied(),
                    "alreadyThere",
                    r.alreadyThere(),
                    "onlyInBucket",
                    r.onlyInBucket(),
                    "goneMeanwhile",
                    r.gone(),
                    "conflicts",
                    problems(r.conflicts()),
                    "missingOcr",
                    problems(r.missingOcr()),
                    "missingCtx",
                    problems(r.missingCtx()),
                    "unreadable",
                    problems(r.unreadable()),
                    "refused",
                    problems(r.refused()),
                    "needsOperator",
                    r.needsOperator());
        }

        private static Map<String, Object> problems(ImageMigration.Problems p) {
            return AdminSupport.object("count", p.count(), "keys", p.keys());
        }

        private static void printText(
                PrintWriter out, ImageMigration.Report r, ImageStore folder, S3ImageStore bucket) {
            out.println((r.dryRun() ? "Dry run, nothing written: " : "") + "images from " + folder.describe() + " to "
                    + bucket.describe());
            StringBuilder statuses = new StringBuilder();
            r.readingsByStatus()
                    .forEach((status, n) -> statuses.append(statuses.length() == 0 ? " (" : ", ")
                            .append(status)
                            .append(' ')
                            .append(n));
            out.println("Readings with images: " + r.readings() + (statuses.length() == 0 ? "" : statuses + ")")
                    + ", images: " + r.images());
            out.println((r.dryRun() ? "To copy: " : "Copied: ") + r.copied() + " (" + r.bytesCopied() + " bytes)");
            out.println("Already in the bucket with the same bytes (skipped): " + r.alreadyThere());
            if (r.onlyInBucket() > 0) {
                out.println("Not in the folder but in the bucket already: " + r.onlyInBucket());
            }
            if (r.gone() > 0) {
                out.println("Of readings delivered while it ran (nothing to copy): " + r.gone());
            }
            problems(
                    out,
                    "Conflicts: another object under the key, left as it is (look at it; delete it and run again if it"
                            + " is wrong)",
                    r.conflicts());
            problems(
                    out,
                    "OCR images in neither place: these readings go DEAD (NO_IMAGE_FILE_OCR) when sent",
                    r.missingOcr());
            problems(out, "Context images in neither place: these readings are sent without them", r.missingCtx());
            problems(out, "Local files that could not be read (not copied; fix and run again)", r.unreadable());
            problems(out, "References that are not image keys (not copied)", r.refused());
            if (!r.dryRun()) {
                out.println("The folder is unchanged: remove it yourself once the service runs with IMAGE_STORE=s3"
                        + " and the queue has drained.");
            }
        }

        private static void problems(PrintWriter out, String what, ImageMigration.Problems p) {
            if (p.count() == 0) {
                return;
            }
            out.println(what + ": " + p.count());
            List<String> keys = p.keys();
            keys.forEach(k -> out.println("  " + k));
            if (p.count() > keys.size()) {
                out.println("  and " + (p.count() - keys.size()) + " more");
            }
        }
    }
}
