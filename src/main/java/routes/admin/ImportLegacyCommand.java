package routes.admin;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.config.InvalidSettingException;
import routes.config.Setting;
import routes.config.Settings;
import routes.legacy.ImportReport;
import routes.legacy.LegacyEnv;
import routes.legacy.LegacyImportException;
import routes.legacy.LegacyImporter;
import routes.legacy.LegacySettings;
import routes.security.CertificateImport;

/**
 * {@code admin import-legacy}: takes over an old TattileSender (Python) installation on this server. Exit 0: everything
 * imported, or skipped for an expected reason (already imported, a duplicate, a delivered row); 1: nothing written, one
 * line says why (bad arguments too, so that 2 never means anything else); 2: finished, and the report lists what needs the operator.
 */
@Command(
        name = "import-legacy",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 1,
        description = {
            "Import an old TattileSender (Python) installation: municipalities, endpoints, certificates, cameras and every "
                    + "reading still queued, with its images. The old database is opened read-only and its files are only read.",
            "Run it again at any time: what was imported is not imported twice, and a run stopped half-way resumes.",
            "Exit status: 0 done; 1 nothing written (the error says why); 2 done, with items that need the operator."
        })
public class ImportLegacyCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--from-env",
            required = true,
            paramLabel = "OLD_ENV_FILE",
            description = "The old installation's .env: its database, IMAGES_BASE_DIR and CERTS_DIR")
    Path fromEnv;

    @Option(
            names = "--images-dir",
            paramLabel = "DIR",
            description = "The old images folder, when it is not (or no longer) IMAGES_BASE_DIR")
    Path imagesDir;

    @Option(
            names = "--certs-dir",
            paramLabel = "DIR",
            description = "The old certificates folder, when it is not (or no longer) CERTS_DIR")
    Path certsDir;

    @Option(names = "--dry-run", description = "Report what would be imported; write nothing")
    boolean dryRun;

    @Option(names = "--json", description = "The report as JSON")
    boolean json;

    @Option(
            names = "--print-settings",
            description = "Only print the lines for this product's .env translated from the old one")
    boolean printSettings;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            LegacyEnv old = LegacyEnv.read(fromEnv);
            if (printSettings) {
                LegacySettings.translate(old).forEach(out::println);
                return 0;
            }
            Settings settings = config.settings();
            ImportReport report;
            try (var ds = AdminDatabase.open(settings)) {
                report = new LegacyImporter(
                                ds,
                                AdminSupport.imageFolder(settings),
                                new CertificateImport(settings.path(Setting.CERTS_DIR)),
                                Clock.systemUTC())
                        .run(old, new LegacyImporter.Options(imagesDir, certsDir, dryRun));
            }
            report.settings(LegacySettings.translate(old));
            if (json) {
                AdminSupport.printJson(spec, report.toJson());
            } else {
                out.print(report.toText());
            }
            out.flush();
            return report.needsOperator() ? 2 : 0;
        } catch (LegacyImportException | InvalidSettingException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }
}
