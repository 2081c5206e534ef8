package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ImageStore;
import routes.support.CameraClient;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/**
 * 600 generated documents on one camera connection, most of them mutated into something hostile (path
 * traversal and absolute paths in plate and serial, NUL and markup characters, DOCTYPE, broken Base64, missing
 * fields, bad dates, garbage bytes, documents cut short, repeats), through the whole ingest path into the real
 * database and image folder. Afterwards: the connection still serves, every unmutated document is stored, no
 * reading lacks a queue row or a file, no file lacks its reading, nothing exists outside IMAGES_BASE_DIR.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=ingest",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "TRANSIT_PORT=" + HostileDocumentsTest.PORT,
            "IMAGES_BASE_DIR=" + HostileDocumentsTest.IMAGES,
            "CAMERA_CACHE_SECONDS=0"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileDocumentsTest {

    static final int PORT = 24331;
    static final String ROOT = "target/it-images/hostile";
    static final String IMAGES = ROOT + "/images";
    static final String SERIAL = "HOSTILE01";
    static final List<String> HOSTILE = List.of(
            "../../etc/passwd",
            "/etc/passwd",
            "..\\..\\windows",
            "a/../../b",
            "~root",
            "%2e%2e%2f",
            "\u202e1234",
            "ñÑ€",
            "A".repeat(300),
            "",
            " ",
            "<b>",
            "&amp;",
            "&#0;",
            "]]>",
            "1234ABC\u0000");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(5, 2048, 4096);

    @AfterAll
    void close() {
        db.close();
    }

    private String valid(int i) {
        return synthetic.vega(
                SERIAL,
                String.format("%04dHST", i),
                LocalDateTime.of(2026, 6, 1, 10, 0).plusSeconds(i));
    }

    /** A mutation of document {@code i}, or the document itself ("none"). */
    private String mutate(String doc, int i, Random random, List<String> kinds) {
        String hostile = HOSTILE.get(random.nextInt(HOSTILE.size()));
        String plate = String.format("%04dHST", i);
        String kind = List.of(
                        "none", "none", "plate", "serial", "doctype", "base64", "missing", "date", "garbage", "cut",
                        "repeat")
                .get(random.nextInt(11));
        kinds.add(kind);
        return switch (kind) {
            case "plate" ->
                doc.replace(
                        "<PLATE_STRING>" + plate + "</PLATE_STRING>", "<PLATE_STRING>" + hostile + "</PLATE_STRING>");
            case "serial" ->
                doc.replace("<DEVICE_SN>" + SERIAL + "</DEVICE_SN>", "<DEVICE_SN>" + hostile + "</DEVICE_SN>");
            case "doctype" ->
                doc.replace("<root>", "<!DOCTYPE root [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root>")
                        .replace("Acceso Norte", "&x;");
            case "base64" -> doc.replaceFirst("<IMAGE_OCR>(.{10})", "<IMAGE_OCR>$1!*?");
            case "missing" -> doc.replaceFirst("<PLATE_STRING>[^<]*</PLATE_STRING>", "");
            case "date" -> doc.replaceFirst("<DATE>[^<]*</DATE>", "<DATE>" + hostile + "</DATE>");
            case "garbage" -> "\u0002\u0003garbage\u0000" + doc;
            case "cut" ->
                doc.substring(0, doc.indexOf("<root>") + 6 + random.nextInt(doc.length() - doc.indexOf("<root>") - 20));
            case "repeat" -> doc + doc;
            default -> doc;
        };
    }

    @Test
    void sixHundredHostileDocumentsLeaveNoHalfStoredReadingNoStrayFileAndTheConnectionServing() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(ROOT));
        TestDb.camera(db, SERIAL, null);
        // -Dhostile.seed=N replays a failed run (the seed is in the failure message).
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        Random random = new Random(seed);
        List<String> kinds = new ArrayList<>();
        Set<String> mustBeStored = new HashSet<>();
        try (CameraClient camera = new CameraClient(PORT)) {
            for (int i = 0; i < 600; i++) {
                String doc = mutate(valid(i), i, random, kinds);
                if (kinds.get(i).equals("none")
                        || kinds.get(i).equals("repeat")
                        || kinds.get(i).equals("garbage")
                        || kinds.get(i).equals("base64")) {
                    mustBeStored.add(String.format("%04dHST", i));
                }
                camera.send(doc);
            }
            camera.send(valid(9999));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = '9999HST'") == 1);
            assertThat(camera.closedByServer(100))
                    .as("the connection still serves")
                    .isFalse();
        }

        Set<String> stored = new HashSet<>();
        try (var c = db.getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT plate FROM alpr_readings")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertThat(stored).as("seed %d", seed).containsAll(mustBeStored);
        assertThat(stored)
                .as("only well-formed plates are stored (seed %d)", seed)
                .allMatch(p -> p.matches("[0-9]{4}HST"));
        assertThat(
                        TestDb.count(
                                db,
                                "SELECT count(*) FROM alpr_readings r LEFT JOIN messages_queue q ON q.reading_id = r.id WHERE q.id IS NULL"))
                .isZero();

        ImageStore images = new ImageStore(Path.of(IMAGES), false);
        Set<String> referenced = new HashSet<>();
        try (var c = db.getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery(
                        "SELECT image_ocr_path FROM alpr_readings UNION ALL SELECT image_ctx_path FROM alpr_readings")) {
            while (rs.next()) {
                if (rs.getString(1) != null) {
                    assertThat(images.exists(rs.getString(1)))
                            .as("file of a stored reading")
                            .isTrue();
                    referenced.add(images.resolve(rs.getString(1)).toString());
                }
            }
        }
        Path root = Path.of(ROOT).toAbsolutePath();
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all).as("nothing outside IMAGES_BASE_DIR").allMatch(p -> p.startsWith(root.resolve("images")));
            assertThat(all).as("no file without its reading").allMatch(p -> referenced.contains(p.toString()));
        }
        assertThat(Path.of("/etc/passwd_plate")).doesNotExist();
        System.out.printf(
                "[hostile] seed %d: %d documents (%s), %d stored%n",
                seed,
                kinds.size(),
                kinds.stream().collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting())),
                stored.size());
    }
}
