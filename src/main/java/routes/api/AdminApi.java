package routes.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import routes.ingest.ReadingFields;
import routes.store.CameraRegistry;
import routes.store.CameraRegistry.Camera;
import routes.store.CameraRepository;
import routes.store.EndpointRepository;
import routes.store.EndpointRepository.Endpoint;
import routes.store.MunicipalityRepository;
import routes.store.MunicipalityRepository.Municipality;
import routes.store.QueueAdminRepository;

/** The admin resources of the HTTP API: the same operations as the admin CLI, over the same repositories. */
public final class AdminApi {

    private final MunicipalityRepository municipalities;
    private final CameraRegistry cameraRegistry;
    private final EndpointRepository endpoints;
    private final CameraRepository cameras;
    private final QueueAdminRepository queue;
    private final ObjectMapper json;

    public AdminApi(
            MunicipalityRepository municipalities,
            CameraRegistry cameraRegistry,
            EndpointRepository endpoints,
            CameraRepository cameras,
            QueueAdminRepository queue,
            ObjectMapper json) {
        this.municipalities = municipalities;
        this.cameraRegistry = cameraRegistry;
        this.endpoints = endpoints;
        this.cameras = cameras;
        this.queue = queue;
        this.json = json;
    }

    /** The admin resources over the registry of this database. */
    public static AdminApi of(DataSource dataSource, QueueAdminRepository queue, ObjectMapper json) {
        return new AdminApi(
                new MunicipalityRepository(dataSource),
                new CameraRegistry(dataSource),
                new EndpointRepository(dataSource),
                new CameraRepository(dataSource),
                queue,
                json);
    }

    public List<Municipality> municipalities() throws SQLException {
        return municipalities.municipalities();
    }

    public List<Camera> cameras() throws SQLException {
        return cameraRegistry.cameras(null);
    }

    public List<Endpoint> endpoints() throws SQLException {
        return endpoints.endpoints();
    }

    public Map<String, Object> queueStats() throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("counts", queue.countsByStatus());
        out.put("oldest_pending_age_seconds", queue.oldestPendingAgeSeconds());
        out.put("dead_by_error", queue.deadByError());
        return out;
    }

    /** {@code {"name": "...", "code": "..."}} → the new municipality's id (409 when the name exists). */
    public Map<String, Object> addMunicipality(byte[] body) throws SQLException {
        JsonNode n = object(body);
        String name = text(n, "name");
        if (name == null || name.length() > 200) {
            throw new ApiException(400, "name is required (1-200 characters)");
        }
        if (municipalities.municipalityId(name).isPresent()) {
            throw new ApiException(409, "municipality '" + name + "' already exists");
        }
        UUID id = cameras.addMunicipality(name, text(n, "code"));
        return Map.of("id", id.toString(), "name", name);
    }

    /** {@code {"serial": "...", "municipality": "...", "codigo_lector": "...", "timezone": "..."}}. */
    public Map<String, Object> addCamera(byte[] body) throws SQLException {
        JsonNode n = object(body);
        String serial = text(n, "serial");
        if (!ReadingFields.isValidSerial(serial)) {
            throw new ApiException(400, "serial must be 1-64 letters, digits, '-' or '_'");
        }
        UUID municipality = municipalities
                .municipalityId(text(n, "municipality"))
                .orElseThrow(() -> new ApiException(404, "municipality not found"));
        String zone = text(n, "timezone");
        if (zone != null) {
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw new ApiException(400, "timezone must be a zone such as Europe/Madrid");
            }
        }
        if (cameraRegistry.cameraId(serial).isPresent()) {
            throw new ApiException(409, "camera '" + serial + "' already exists");
        }
        UUID id = cameras.addCamera(serial, municipality, text(n, "codigo_lector"), text(n, "description"), zone);
        return Map.of("id", id.toString(), "serial", serial);
    }

    /** {@code {"id": "<queue id>"}} or {@code {"status": "DEAD", "error_prefix": "..."}} → how many rows were requeued. */
    public Map<String, Object> requeue(byte[] body) throws SQLException {
        JsonNode n = object(body);
        String id = text(n, "id");
        if (id != null) {
            UUID uuid;
            try {
                uuid = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "id must be a UUID");
            }
            var r = queue.requeue(uuid);
            if (!r.found()) {
                throw new ApiException(404, "queue row not found");
            }
            if (!r.requeued()) {
                throw new ApiException(
                        409, "only DEAD or FAILED rows can be requeued (this one is " + r.previousStatus() + ")");
            }
            return Map.of("requeued", 1);
        }
        String status = text(n, "status");
        if (!"DEAD".equals(status) && !"FAILED".equals(status)) {
            throw new ApiException(400, "give an id, or a status DEAD or FAILED");
        }
        return Map.of("requeued", queue.requeue(status, text(n, "error_prefix")));
    }

    private JsonNode object(byte[] body) {
        try {
            JsonNode n = json.readTree(body == null ? new byte[0] : body);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "a JSON object is expected");
            }
            return n;
        } catch (IOException e) {
            throw new ApiException(400, "malformed JSON");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText().strip();
        // NUL cannot be stored in PostgreSQL text, and no registry field has a use for control characters:
        // a client error, not "database unavailable".
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new ApiException(400, field + " must not contain control characters");
        }
        return s.isEmpty() ? null : s;
    }
}
