package routes.legacy;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import routes.ingest.ReadingFields;
import routes.legacy.ImportReport.Entity;
import routes.security.CertificateImport;
import routes.store.ImageStore;

/**
 * Copies the old registry (endpoints, certificates, municipalities, cameras) in one transaction: planned first, so
 * every file is found and read before anything is written, then applied.
 */
final class LegacyRegistryImport {

    /** A camera readings can be imported for: its id and serial here. */
    record TargetCamera(UUID id, String serial) {}

    private final Connection target;
    private final LegacyImportMap map;
    private final ImportReport report;
    private final LegacyFiles certificateFiles;
    private final CertificateImport certificateImport;
    private final boolean dryRun;
    private final Map<Integer, TargetCamera> cameras = new HashMap<>();
    private final Map<Integer, LegacyCertificates.Found> certificatesFound = new HashMap<>();

    LegacyRegistryImport(
            Connection target,
            LegacyImportMap map,
            ImportReport report,
            LegacyFiles certificateFiles,
            CertificateImport certificateImport,
            boolean dryRun) {
        this.target = target;
        this.map = map;
        this.report = report;
        this.certificateFiles = certificateFiles;
        this.certificateImport = certificateImport;
        this.dryRun = dryRun;
    }

    /** Finds every certificate's key and certificate (reads the files; an unreadable one stops the import here). */
    void plan(List<LegacyRows.Certificate> certificates) {
        for (LegacyRows.Certificate c : certificates) {
            if (!map.contains(LegacyImportMap.CERTIFICATE, c.id())) {
                LegacyCertificates.Result r = LegacyCertificates.find(c, certificateFiles);
                if (r.found() != null) {
                    certificatesFound.put(c.id(), r.found());
                }
            }
        }
    }

    /** Applies the registry in the caller's transaction; returns the cameras readings may be imported for. */
    Map<Integer, TargetCamera> apply(
            List<LegacyRows.Endpoint> endpoints,
            List<LegacyRows.Certificate> certificates,
            List<LegacyRows.Municipality> municipalities,
            List<LegacyRows.Camera> oldCameras)
            throws SQLException, IOException, GeneralSecurityException {
        Map<Integer, String> municipalityNames = new HashMap<>();
        municipalities.forEach(m -> municipalityNames.put(m.id(), m.name()));
        importEndpoints(endpoints);
        importCertificates(certificates, municipalityNames);
        importMunicipalities(municipalities, certificates);
        importCameras(oldCameras);
        return cameras;
    }

    private void importEndpoints(List<LegacyRows.Endpoint> endpoints) throws SQLException {
        Set<String> names = names("endpoints");
        for (LegacyRows.Endpoint e : endpoints) {
            if (map.contains(LegacyImportMap.ENDPOINT, e.id())) {
                report.addAlready(Entity.ENDPOINT);
                continue;
            }
            String name = unique(names, e.name(), e.id());
            UUID id = map.newId(LegacyImportMap.ENDPOINT, e.id());
            // Old retry_max counted every send (0: its default); ours counts the retries after the first send (null:
            // ours).
            Integer retryMax = e.retryMax() > 0 ? e.retryMax() - 1 : null;
            execute(
                    """
                    INSERT INTO endpoints (id, name, url, timeout_ms, retry_max, retry_backoff_ms)
                    VALUES (?, ?, ?, COALESCE(?, 30000), ?, ?)""",
                    id,
                    name,
                    e.url(),
                    e.timeoutMs() > 0 ? e.timeoutMs() : null,
                    retryMax,
                    e.retryBackoffMs() > 0 ? e.retryBackoffMs() : null);
            map.record(target, LegacyImportMap.ENDPOINT, e.id(), id, renamed(e.name(), name));
            report.addImported(Entity.ENDPOINT);
            if (!name.equals(e.name())) {
                report.note("endpoint '" + e.name() + "' (old id " + e.id() + ") is named '" + name
                        + "' here: names are unique here");
            }
        }
    }

    private void importCertificates(List<LegacyRows.Certificate> certificates, Map<Integer, String> municipalityNames)
            throws SQLException, IOException, GeneralSecurityException {
        Set<String> names = names("certificates");
        for (LegacyRows.Certificate c : certificates) {
            if (map.contains(LegacyImportMap.CERTIFICATE, c.id())) {
                report.addAlready(Entity.CERTIFICATE);
                continue;
            }
            String municipality = c.municipalityId() == null ? null : municipalityNames.get(c.municipalityId());
            LegacyCertificates.Found found = certificatesFound.get(c.id());
            if (found == null) {
                LegacyCertificates.Result r = LegacyCertificates.find(c, certificateFiles);
                report.addSkipped(Entity.CERTIFICATE, "KEY_NOT_FOUND", false);
                report.operator("certificate '" + c.name() + "' (old id " + c.id()
                        + (municipality != null ? ", municipality '" + municipality + "'" : "")
                        + "): " + r.missing().reason() + "; looked in "
                        + r.missing().folder() + ". Fix: admin certificate import-pfx --name "
                        + ImageStore.safeComponent(c.name())
                        + (municipality != null ? " --municipality '" + municipality + "'" : "") + " "
                        + (c.pfxPath() != null ? certificateFiles.certificate(c.pfxPath()) : "FILE.pfx")
                        + " (the PFX password is asked for; it was never stored)");
                continue;
            }
            String name = unique(names, ImageStore.safeComponent(c.name()), c.id());
            UUID id = map.newId(LegacyImportMap.CERTIFICATE, c.id());
            if (!dryRun) {
                CertificateImport.Imported written =
                        certificateImport.fromKeyAndChain(found.key(), found.chain(), name);
                execute(
                        """
                        INSERT INTO certificates (id, name, type, cert_path, key_path, subject, fingerprint_sha256, valid_from, valid_to)
                        VALUES (?, ?, 'PEM', ?, ?, ?, ?, ?, ?)""",
                        id,
                        name,
                        written.certPath(),
                        written.keyPath(),
                        written.subject(),
                        written.fingerprintSha256(),
                        Timestamp.from(written.validFrom()),
                        Timestamp.from(written.validTo()));
            }
            map.record(
                    target,
                    LegacyImportMap.CERTIFICATE,
                    c.id(),
                    id,
                    "from " + found.keyFile() + " and " + found.certificateFile());
            report.addImported(Entity.CERTIFICATE);
            if (municipality != null && !c.firstOfItsMunicipality()) {
                report.note("certificate '" + c.name() + "' (old id " + c.id() + ") also belonged to municipality '"
                        + municipality
                        + "', but the old sender signed with another of its certificates (the first row): imported as '"
                        + name
                        + "', not assigned");
            }
        }
    }

    private void importMunicipalities(
            List<LegacyRows.Municipality> municipalities, List<LegacyRows.Certificate> certificates)
            throws SQLException {
        Map<Integer, LegacyRows.Certificate> used = new HashMap<>();
        certificates.stream()
                .filter(LegacyRows.Certificate::firstOfItsMunicipality)
                .forEach(c -> used.put(c.municipalityId(), c));
        Set<String> names = names("municipalities");
        for (LegacyRows.Municipality m : municipalities) {
            if (map.contains(LegacyImportMap.MUNICIPALITY, m.id())) {
                report.addAlready(Entity.MUNICIPALITY);
                continue;
            }
            String name = unique(names, m.name(), m.id());
            UUID id = map.newId(LegacyImportMap.MUNICIPALITY, m.id());
            LegacyRows.Certificate certificate = used.get(m.id());
            UUID certificateId = certificate == null
                    ? null
                    : map.get(LegacyImportMap.CERTIFICATE, certificate.id()).orElse(null);
            UUID endpointId = m.endpointId() == null
                    ? null
                    : map.get(LegacyImportMap.ENDPOINT, m.endpointId()).orElse(null);
            execute(
                    "INSERT INTO municipalities (id, name, code, certificate_id, endpoint_id, active) VALUES (?, ?, ?, ?, ?, ?)",
                    id,
                    name,
                    m.code(),
                    dryRun ? null : certificateId,
                    endpointId,
                    m.active());
            map.record(target, LegacyImportMap.MUNICIPALITY, m.id(), id, renamed(m.name(), name));
            report.addImported(Entity.MUNICIPALITY);
            if (!name.equals(m.name())) {
                report.note("municipality '" + m.name() + "' (old id " + m.id() + ") is named '" + name
                        + "' here: names are unique here");
            }
            if (certificate != null && certificateId == null) {
                report.operator("municipality '" + name
                        + "' has no usable certificate yet (see its certificate above): its readings go DEAD "
                        + "CERTIFICADO_NO_CONFIGURADO when sent; import it before starting the service, or requeue them after "
                        + "(admin queue requeue)");
            }
        }
    }

    private void importCameras(List<LegacyRows.Camera> oldCameras) throws SQLException {
        Map<String, UUID> registered = new HashMap<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT serial_number, id FROM cameras");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                registered.put(rs.getString(1), rs.getObject(2, UUID.class));
            }
        }
        for (LegacyRows.Camera k : oldCameras) {
            if (map.contains(LegacyImportMap.CAMERA, k.id())) {
                report.addAlready(Entity.CAMERA);
                map.get(LegacyImportMap.CAMERA, k.id())
                        .ifPresent(id -> cameras.put(k.id(), new TargetCamera(id, k.serial())));
                continue;
            }
            if (!ReadingFields.isValidSerial(k.serial())) {
                report.addSkipped(Entity.CAMERA, "SERIAL_REFUSED", false);
                report.operator("camera '" + k.serial() + "' (old id " + k.id()
                        + "): serial refused here (1-64 letters, digits, '-' or '_'); "
                        + "it and its queued readings are not imported. Register the camera under a valid serial (the camera must send "
                        + "that serial) and run the import again");
                continue;
            }
            UUID existing = registered.get(k.serial());
            if (existing != null) {
                map.record(target, LegacyImportMap.CAMERA, k.id(), existing, "already registered here");
                cameras.put(k.id(), new TargetCamera(existing, k.serial()));
                report.addSkipped(Entity.CAMERA, "ALREADY_REGISTERED_HERE", true);
                report.note("camera '" + k.serial()
                        + "' was already registered here: kept as it is; its old readings are imported to it");
                continue;
            }
            UUID municipalityId =
                    map.get(LegacyImportMap.MUNICIPALITY, k.municipalityId()).orElseThrow();
            UUID endpointId = k.endpointId() == null
                    ? null
                    : map.get(LegacyImportMap.ENDPOINT, k.endpointId()).orElse(null);
            Double x = coordinate(k, k.coordX(), k.utmX(), "X");
            Double y = coordinate(k, k.coordY(), k.utmY(), "Y");
            UUID id = map.newId(LegacyImportMap.CAMERA, k.id());
            // certificate_id is not copied: the old sender ignored it, and here it would override the municipality's.
            // active is not copied either: the old product never checked it, so every camera was in service.
            execute(
                    """
                    INSERT INTO cameras (id, serial_number, codigo_lector, description, municipality_id, endpoint_id, coord_x, coord_y,
                        utm_x, utm_y, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)""",
                    id,
                    k.serial(),
                    k.codigoLector(),
                    k.description(),
                    municipalityId,
                    endpointId,
                    x,
                    y,
                    k.utmX(),
                    k.utmY());
            map.record(target, LegacyImportMap.CAMERA, k.id(), id, null);
            cameras.put(k.id(), new TargetCamera(id, k.serial()));
            report.addImported(Entity.CAMERA);
            if (k.certificateId() != null) {
                report.note("camera '" + k.serial() + "': its certificate_id (old id " + k.certificateId()
                        + ") is not copied; the old sender "
                        + "ignored it and signed with the municipality's certificate, as this product now does");
            }
            if (!k.active()) {
                report.note(
                        "camera '" + k.serial()
                                + "' was marked inactive in the old database, which the old product never checked: "
                                + "imported active, so its readings keep flowing (admin camera update --active false to change that)");
            }
        }
    }

    /**
     * The coordinate the old sender sent: the text column when set, else the UTM column with two decimals. A text value
     * that is not a number is reported and not copied (the old sender sent it as it was; Mossos would have refused it).
     */
    private Double coordinate(LegacyRows.Camera k, String text, Double utm, String axis) {
        if (text != null && !text.isBlank()) {
            try {
                return Double.valueOf(text.strip().replace(',', '.'));
            } catch (NumberFormatException e) {
                report.operator("camera '" + k.serial() + "': coordinate " + axis + " '" + text
                        + "' is not a number; not copied " + "(admin camera update --coord-"
                        + axis.toLowerCase(Locale.ROOT) + " ...)");
                return null;
            }
        }
        return utm == null
                ? null
                : BigDecimal.valueOf(utm).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }

    private Set<String> names(String table) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT name FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The name, or the name with the old id appended when it is taken (names are unique here, not in the old schema). */
    private static String unique(Set<String> taken, String name, int oldId) {
        String n = name == null || name.isBlank() ? "imported" : name.strip();
        String candidate = n;
        for (int i = 0; !taken.add(candidate); i++) {
            candidate = n + "-" + oldId + (i == 0 ? "" : "-" + i);
        }
        return candidate;
    }

    private static String renamed(String old, String now) {
        return now.equals(old) ? null : "renamed from '" + old + "'";
    }

    private void execute(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) {
                    ps.setNull(i + 1, Types.OTHER);
                } else {
                    ps.setObject(i + 1, args[i]);
                }
            }
            ps.executeUpdate();
        }
    }
}
