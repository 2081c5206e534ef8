package routes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.support.S3ProxyServer;
import routes.support.TestDb;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Smoke runs of every {@code bench} sub-command from the packaged jar, a few hundred readings each (a few thousand
 * queued for health), so the benchmarks behind the README figures cannot rot. They check that each one measures what
 * it says (readings stored and counted, every send delivered, claims timed, every /health answered and its report
 * computed at most once per cache period), not how fast: figures are not tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchIT {

    static final Path JAR = Path.of("target/tattile-sender.jar");
    static final Path WORK = Path.of("target/bench-it").toAbsolutePath();
    private final HikariDataSource db = TestDb.open();

    @BeforeEach
    void emptyDatabase() throws Exception {
        assertThat(JAR).as("run ./mvnw package first").exists();
        TestDb.reset(db);
    }

    @AfterAll
    void close() throws Exception {
        TestDb.reset(db);
        db.close();
    }

    private JsonNode bench(String... args) throws Exception {
        var s = TestDb.settings();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "bench"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--database", TestDb.NAME, "--work-dir", WORK.toString(), "--runs", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("TATTILE_ENV_FILE", "/dev/null");
        pb.environment().put("DB_HOST", s.text(Setting.DB_HOST));
        pb.environment().put("DB_PORT", s.text(Setting.DB_PORT));
        Path err = Files.createDirectories(WORK).resolve("bench-" + args[0] + ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out + Files.readString(err)).isZero();
        return new ObjectMapper().readTree(out);
    }

    @Test
    void ingestBenchCountsEveryReadingInTheDatabaseAndMeasuresTheService() throws Exception {
        JsonNode r = bench(
                "ingest",
                "--readings",
                "200",
                "--warmup",
                "20",
                "--connections",
                "4",
                "--rate",
                "400",
                "--settle-max",
                "100",
                "--port",
                "23382");

        JsonNode run = r.path("runs").get(0);
        assertThat(run.path("sent").asInt()).isEqualTo(200);
        assertThat(run.path("stored").asInt()).isEqualTo(200);
        assertThat(run.path("readingsPerSecond").asDouble()).isPositive();
        assertThat(run.path("latencyMs").path("p50").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(run.path("latencyMs").path("p99").asDouble());
        assertThat(run.path("serviceCpuCores").asDouble()).isPositive();
        assertThat(run.path("servicePeakRssMb").asDouble()).isGreaterThan(50);
        assertThat(run.path("bytesWrittenPerReading").path("imageFiles").asLong())
                .isGreaterThan(60_000);
        assertThat(r.path("startupMillis").asLong()).isPositive();
        assertCompilersMeasured(r, run);
        assertThat(r.path("machine").path("cpus").asInt()).isPositive();
        assertThat(r.path("summary").path("readingsPerSecond").path("median").asDouble())
                .isEqualTo(run.path("readingsPerSecond").asDouble());
        assertThat(r.path("summary")
                        .path("serviceCpuMsPerReading")
                        .path("median")
                        .asDouble())
                .isPositive();
        assertReferences(r.path("references"));
        assertThat(r.path("summary")
                        .path("ingestOverDatabaseFloor")
                        .path("median")
                        .asDouble())
                .isPositive();
    }

    @Test
    void deliveryBenchMeasuresEachReadingsDelayFromReceptionToDeliveryAndTheFirstSendAfterStart() throws Exception {
        JsonNode r = bench(
                "delivery",
                "--readings",
                "60",
                "--warmup",
                "20",
                "--rate",
                "40",
                "--connections",
                "2",
                "--port",
                "23382",
                "--sandbox-port",
                "23383");

        JsonNode run = r.path("runs").get(0);
        assertThat(run.path("readings").asInt()).isEqualTo(60);
        assertThat(run.path("delayMs").path("p50").asDouble())
                .isNotNegative()
                .isLessThanOrEqualTo(run.path("delayMs").path("p99").asDouble());
        assertThat(r.path("firstSendAfterStartMillis").asLong())
                .isGreaterThanOrEqualTo(r.path("startupMillis").asLong());
        assertThat(r.path("summary").path("delayP99Ms").path("median").asDouble())
                .isEqualTo(run.path("delayMs").path("p99").asDouble());
    }

    /**
     * The JIT compilers' share of the service's CPU in a run, and the settling batch after the 20-reading warm-up:
     * one, of the 100 readings allowed; settled after 120 readings when its share was under 5 %, else not settled.
     */
    private static void assertCompilersMeasured(JsonNode result, JsonNode run) {
        assertThat(run.path("serviceCompilerCpuShare").isNumber())
                .as(run.toString())
                .isTrue();
        assertThat(run.path("serviceCompilerCpuShare").asDouble()).isBetween(0.0, 1.0);
        JsonNode settling = result.path("settling");
        assertThat(settling.path("batches")).as(settling.toString()).hasSize(1);
        JsonNode batch = settling.path("batches").get(0);
        assertThat(batch.path("serviceCompilerCpuShare").asDouble()).isBetween(0.0, 1.0);
        if (batch.path("serviceCompilerCpuShare").asDouble() < 0.05) {
            assertThat(settling.path("settledAfter").asInt())
                    .as(settling.toString())
                    .isEqualTo(120);
        } else {
            assertThat(settling.path("settledAfter").isNull())
                    .as(settling.toString())
                    .isTrue();
        }
    }

    /** The two references measured around a benchmark's runs: positive, their mean beside both measurements. */
    private static void assertReferences(JsonNode references) {
        assertThat(references.path("rsaSignaturesPerSecond").asDouble())
                .as(references.toString())
                .isPositive();
        assertThat(references.path("databaseFloorPairsPerSecond").asDouble())
                .as(references.toString())
                .isPositive();
        assertThat(references.path("cryptoProvider").asText()).isNotBlank();
        for (String when : List.of("before", "after")) {
            assertThat(references.path(when).path("databaseFloorPairsPerSecond").asDouble())
                    .as(when)
                    .isPositive();
        }
    }

    @Test
    void senderBenchDeliversEveryQueuedReadingToTheVerifyingSandbox() throws Exception {
        JsonNode r = bench(
                "sender",
                "--readings",
                "150",
                "--warmup",
                "20",
                "--settle-max",
                "100",
                "--verify",
                "both",
                "--sandbox-port",
                "23383");

        for (String mode : List.of("verifyOff", "verifyOn")) {
            JsonNode run = r.path("sandboxVerification").path(mode).path("runs").get(0);
            assertThat(run.path("delivered").asInt()).as(mode).isEqualTo(150);
            assertThat(run.path("sendsPerSecond").asDouble()).as(mode).isPositive();
            assertThat(run.path("serviceCpuMsPerSend").asDouble()).as(mode).isPositive();
            assertCompilersMeasured(r, run);
            assertThat(r.path("sandboxVerification")
                            .path(mode)
                            .path("sendsPerSigningCore")
                            .path("median")
                            .asDouble())
                    .as(mode)
                    .isPositive();
        }
        assertReferences(r.path("references"));
    }

    /**
     * Issue 15's figures: {@code bench ingest|sender --set IMAGE_STORE=s3} against a real S3 implementation (S3Proxy,
     * its own JVM): the readings' images go to the bucket, and the delivered readings' objects are deleted from it.
     */
    @Test
    void ingestAndSenderBenchesRunWithTheImagesInAnS3Bucket() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start();
                S3Client bucket = s3.client()) {
            s3.createBucket("bench");
            List<String> sets = new ArrayList<>();
            s3.settings("bench", "bench/").forEach((key, value) -> sets.addAll(List.of("--set", key + "=" + value)));

            List<String> ingest = new ArrayList<>(List.of(
                    "ingest",
                    "--readings",
                    "200",
                    "--warmup",
                    "20",
                    "--connections",
                    "4",
                    "--rate",
                    "400",
                    "--settle-max",
                    "0",
                    "--port",
                    "23385"));
            ingest.addAll(sets);
            JsonNode run = bench(ingest.toArray(String[]::new)).path("runs").get(0);
            assertThat(run.path("stored").asInt()).isEqualTo(200);
            assertThat(run.path("serviceCpuMsPerReading").asDouble()).isPositive();
            assertThat(objects(bucket))
                    .as("two images per reading in the bucket")
                    .isEqualTo(2 * 200);

            List<String> sender = new ArrayList<>(List.of(
                    "sender",
                    "--readings",
                    "100",
                    "--warmup",
                    "20",
                    "--settle-max",
                    "0",
                    "--verify",
                    "off",
                    "--sandbox-port",
                    "23386"));
            sender.addAll(sets);
            JsonNode sent = bench(sender.toArray(String[]::new))
                    .path("sandboxVerification")
                    .path("verifyOff")
                    .path("runs")
                    .get(0);
            assertThat(sent.path("delivered").asInt()).isEqualTo(100);
            assertThat(sent.path("serviceCpuMsPerSend").asDouble()).isPositive();
            assertThat(objects(bucket))
                    .as("every delivered reading's objects deleted")
                    .isZero();
        }
    }

    private static int objects(S3Client bucket) {
        return bucket.listObjectsV2(b -> b.bucket("bench").prefix("bench/")).keyCount();
    }

    @Test
    void claimBenchTimesTheSendersClaimStatementAtEachQueueSize() throws Exception {
        JsonNode r = bench("claim", "--queued", "500,2000", "--claims", "5");

        for (String size : List.of("500", "2000")) {
            JsonNode run = r.path("queued").path(size).path("runs").get(0);
            assertThat(run.path("rowsClaimed").asInt()).as(size).isEqualTo(5 * 50);
            assertThat(run.path("p50Ms").asDouble()).as(size).isPositive();
        }
        assertThat(r.path("largestOverSmallestP50").asDouble()).isPositive();
    }

    @Test
    void healthBenchAnswersEveryRequestAndComputesTheReportAtMostOncePerCachePeriod() throws Exception {
        JsonNode r = bench(
                "health",
                "--rows",
                "3000",
                "--requests",
                "400",
                "--warmup",
                "20",
                "--rate",
                "100",
                "--cache-seconds",
                "1",
                "--timings",
                "3",
                "--api-port",
                "23384");

        JsonNode byStatus = r.path("fill").path("byStatus");
        long queued = 0;
        for (String status : List.of("PENDING", "SENDING", "FAILED", "DEAD")) {
            assertThat(byStatus.path(status).asLong()).as(status).isPositive();
            queued += byStatus.path(status).asLong();
        }
        assertThat(queued).isEqualTo(3000);
        assertThat(byStatus.path("PENDING").asLong()).as("mostly PENDING").isGreaterThan(queued * 8 / 10);

        JsonNode run = r.path("runs").get(0);
        assertThat(run.path("byHttpStatus").path("200").asInt())
                .as(run.toString())
                .isEqualTo(400);
        assertThat(run.path("byHttpStatus").size()).as("nothing but 200").isEqualTo(1);
        assertThat(run.path("latencyMs").path("p50").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(run.path("latencyMs").path("p99").asDouble());
        // 400 requests at 100/s span about four cache periods of 1 s: several reports, never two within a period (the
        // first one seen may have been computed up to a period before the run began).
        int computations = run.path("computations").asInt();
        assertThat(computations)
                .as(run.toString())
                .isBetween(2, (int) Math.floor(run.path("seconds").asDouble()) + 2);
        assertThat(run.path("minSecondsBetweenComputations").asDouble())
                .as(run.toString())
                .isGreaterThanOrEqualTo(0.99);

        JsonNode overview = r.path("overview");
        assertThat(overview.path("uncachedOverviewMs").path("median").asDouble())
                .isPositive();
        assertThat(overview.path("oldCountMs").path("median").asDouble()).isPositive();
        // The scan check sees the old exact counts for what they are: every row read.
        assertThat(overview.path("oldCountFullScans").size()).isEqualTo(2);
        assertThat(overview.path("overviewStatements").size()).isGreaterThanOrEqualTo(3);
        for (JsonNode st : overview.path("overviewStatements")) {
            assertThat(st.path("executionMs").asDouble()).as(st.toString()).isGreaterThanOrEqualTo(0);
        }
        // Below 100,000 rows the counts are exact (full scans by design); the oldest PENDING reading is found through
        // an
        // index, even with most PENDING rows turned into due retries ahead of it.
        JsonNode ahead = r.path("retriesAhead");
        assertThat(ahead.path("byStatus").path("FAILED").asLong())
                .isGreaterThan(ahead.path("byStatus").path("PENDING").asLong());
        assertThat(ahead.path("uncachedOverviewMs").path("median").asDouble()).isPositive();
        for (JsonNode scan : ahead.path("overviewFullScans")) {
            assertThat(scan.asText())
                    .as("only the exact counts read whole tables")
                    .contains("count(*)");
        }
    }

    @Test
    void allRunsTheStandardSetAndWritesTheReadmeTable() throws Exception {
        Path table = WORK.resolve("bench.md");
        Files.deleteIfExists(table);

        JsonNode r = bench(
                "all",
                "--quick",
                "--markdown",
                table.toString(),
                "--port",
                "23382",
                "--sandbox-port",
                "23383",
                "--api-port",
                "23384");

        for (String part : List.of("ingestMax", "ingestAt200", "sender0ms", "sender200ms", "claim", "health")) {
            assertThat(r.has(part)).as(part).isTrue();
        }
        assertThat(r.path("ingestAt200").path("runs").get(0).path("stored").asInt())
                .isEqualTo(60);
        assertThat(Files.readString(table))
                .contains(
                        "| Ingest, 50 connections, flat out (readings/s stored) | ≥ 1,500 |",
                        "| Sender: compilers under 5 % of CPU after (sends since start) |",
                        "Sender, 200 ms sandbox, SENDER_CONCURRENCY=128",
                        "Start-up to listening (ms)",
                        "| /health with 3,000 rows queued",
                        "one uncached computation",
                        "Reference around ingest flat out: database floor",
                        "Reference around sender, 0 ms sandbox: RSA-2048 signatures/s on one core");
        assertReferences(r.path("sender200ms").path("references"));
        assertThat(r.path("health")
                        .path("runs")
                        .get(0)
                        .path("byHttpStatus")
                        .path("200")
                        .asInt())
                .isEqualTo(300);
    }
}
