package routes.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.config.Settings;
import routes.security.CertificateImport;
import routes.security.PemFiles;
import routes.store.AssignmentRepository;
import routes.store.CertificateRepository;
import routes.store.ImageStore;

/** {@code admin certificate …}: import the municipalities' signing certificates and watch their expiry. */
@Command(
        name = "certificate",
        mixinStandardHelpOptions = true,
        description = "Manage signing certificates.",
        subcommands = {
            CertificateCommand.ImportPfx.class,
            CertificateCommand.AddPem.class,
            CertificateCommand.ListCertificates.class,
            CertificateCommand.Delete.class
        })
public class CertificateCommand {

    /** Environment variable read for the PFX password when no --password-file is given. */
    public static final String PASSWORD_VARIABLE = "TATTILE_PFX_PASSWORD";

    @Command(
            name = "import-pfx",
            mixinStandardHelpOptions = true,
            description =
                    "Import a PKCS#12 (.pfx/.p12) file: key and chain go to CERTS_DIR/<municipality>/ (mode 0600), "
                            + "the municipality signs with it. Re-importing renews it.")
    static class ImportPfx implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--file", required = true, description = "The PKCS#12 file")
        Path file;

        @Option(names = "--municipality", required = true, description = "Municipality that signs with it")
        String municipality;

        @Option(names = "--name", description = "Certificate name (default: the municipality's name)")
        String name;

        @Option(
                names = "--password-file",
                description = "File holding the password (default: $" + PASSWORD_VARIABLE + ", else a prompt)")
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new CommandFailedException("File not found: " + file);
            }
            char[] password = password();
            try {
                Settings settings = config.settings();
                String certName = name != null ? name : municipality;
                CertificateImport.Imported imported;
                try {
                    imported = new CertificateImport(settings.path(Setting.CERTS_DIR))
                            .fromPkcs12(file, password, ImageStore.safeComponent(certName));
                } catch (CertificateImport.BadPasswordException | CertificateImport.UnsafePathException e) {
                    throw new CommandFailedException(e.getMessage());
                } catch (GeneralSecurityException e) {
                    throw new CommandFailedException("Cannot import " + file.getFileName() + ": " + e.getMessage());
                }
                return record(settings, certName, municipality, imported, spec);
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private char[] password() throws IOException {
            if (passwordFile != null) {
                return Files.readString(passwordFile, StandardCharsets.UTF_8)
                        .strip()
                        .toCharArray();
            }
            String fromEnv = System.getenv(PASSWORD_VARIABLE);
            if (fromEnv != null) {
                return fromEnv.toCharArray();
            }
            if (System.console() != null) {
                char[] typed = System.console().readPassword("Password for %s: ", file.getFileName());
                if (typed != null) {
                    return typed;
                }
            }
            throw new CommandFailedException(
                    "No password: use --password-file, set " + PASSWORD_VARIABLE + ", or run it in a terminal");
        }
    }

    @Command(
            name = "add-pem",
            mixinStandardHelpOptions = true,
            description = "Add a PEM key and certificate (chain), copied to CERTS_DIR/<name>/ (mode 0600).")
    static class AddPem implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--key", required = true, description = "Private key (PKCS#8 or PKCS#1 PEM, not encrypted)")
        Path key;

        @Option(
                names = "--cert",
                required = true,
                description = "Certificate or chain (PEM), signing certificate first")
        Path cert;

        @Option(
                names = "--name",
                description = "Certificate name (default: the municipality's name, else the certificate's CN)")
        String name;

        @Option(names = "--municipality", description = "Municipality that signs with it (optional)")
        String municipality;

        @Override
        public Integer call() throws Exception {
            Settings settings = config.settings();
            String certName = name != null ? name : municipality != null ? municipality : commonName(cert);
            CertificateImport.Imported imported;
            try {
                imported = new CertificateImport(settings.path(Setting.CERTS_DIR))
                        .fromPem(key, cert, ImageStore.safeComponent(certName));
            } catch (CertificateImport.UnsafePathException e) {
                throw new CommandFailedException(e.getMessage());
            } catch (GeneralSecurityException | IOException e) {
                throw new CommandFailedException("Cannot add the certificate: " + e.getMessage());
            }
            return record(settings, certName, municipality, imported, spec);
        }

        /** The CN of the certificate's subject, to name it when no name is given. */
        private static String commonName(Path cert) {
            try {
                String subject = PemFiles.readCertificates(cert)
                        .get(0)
                        .getSubjectX500Principal()
                        .getName();
                var m = Pattern.compile("(?:^|,)CN=([^,]+)").matcher(subject);
                return m.find() ? m.group(1).strip() : subject;
            } catch (GeneralSecurityException | IOException e) {
                throw new CommandFailedException("Cannot read the certificate " + cert + ": " + e.getMessage());
            }
        }
    }

    static int record(
            Settings settings,
            String certName,
            String municipality,
            CertificateImport.Imported imported,
            CommandSpec spec)
            throws SQLException {
        try (var ds = AdminDatabase.open(settings)) {
            CertificateRepository repo = new CertificateRepository(ds);
            var id = repo.upsertPem(
                    certName,
                    imported.certPath(),
                    imported.keyPath(),
                    imported.subject(),
                    imported.fingerprintSha256(),
                    imported.validFrom(),
                    imported.validTo());
            if (municipality != null && !repo.assignToMunicipality(id, municipality)) {
                throw new CommandFailedException(
                        "Municipality '" + municipality + "' does not exist (certificate '" + certName + "' stored)");
            }
            spec.commandLine()
                    .getOut()
                    .println("Certificate '" + certName + "' stored (" + imported.subject() + ", valid until "
                            + imported.validTo() + ")"
                            + (municipality != null ? " and assigned to municipality '" + municipality + "'" : ""));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List certificates with their expiry.")
    static class ListCertificates implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (var ds = AdminDatabase.open(config.settings())) {
                var rows = new CertificateRepository(ds).list();
                var out = spec.commandLine().getOut();
                if (json) {
                    var list = new ArrayList<Map<String, Object>>();
                    for (var r : rows) {
                        var m = new LinkedHashMap<String, Object>();
                        m.put("id", r.id().toString());
                        m.put("name", r.name());
                        m.put("type", r.type());
                        m.put("subject", r.subject());
                        m.put(
                                "valid_from",
                                r.validFrom() == null ? null : r.validFrom().toString());
                        m.put(
                                "valid_to",
                                r.validTo() == null ? null : r.validTo().toString());
                        m.put("active", r.active());
                        m.put("used_by", r.usedBy());
                        list.add(m);
                    }
                    out.println(new ObjectMapper().writeValueAsString(list));
                    return 0;
                }
                out.printf(
                        "%-24s %-7s %-12s %-6s %-30s %s%n", "NAME", "TYPE", "VALID TO", "DAYS", "USED BY", "SUBJECT");
                for (var r : rows) {
                    long days = r.validTo() == null
                            ? 0
                            : Duration.between(Instant.now(), r.validTo()).toDays();
                    out.printf(
                            "%-24s %-7s %-12s %-6s %-30s %s%n",
                            r.name(),
                            r.type(),
                            r.validTo() == null ? "?" : r.validTo().toString().substring(0, 10),
                            r.validTo() == null ? "?" : days,
                            r.usedBy() == null ? "-" : r.usedBy(),
                            r.subject() == null ? "" : r.subject());
                }
                return 0;
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description =
                    "Delete a certificate's row (its files under CERTS_DIR are kept). When municipalities or cameras use it, "
                            + "refused unless --force, which clears those references.")
    static class Delete implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The certificate to delete")
        String name;

        @Option(
                names = "--force",
                description = "Clear it from the municipalities and cameras that use it, in the same transaction")
        boolean force;

        @Override
        public Integer call() throws Exception {
            try (var ds = AdminDatabase.open(config.settings())) {
                var result = new AssignmentRepository(ds).deleteCertificate(name, force);
                spec.commandLine()
                        .getOut()
                        .println(EndpointCommand.deletionMessage("Certificate", name, result)
                                + " (its files under CERTS_DIR are kept)");
                return 0;
            }
        }
    }
}
