package routes.config;

/**
 * Every configuration knob of the service: its environment name, default and one-line meaning.
 * {@code .env.example} mirrors this list (a test keeps them in step).
 */
public enum Setting {
    DB_HOST("127.0.0.1", Kind.TEXT, "PostgreSQL host"),
    DB_PORT("5432", Kind.PORT, "PostgreSQL port"),
    DB_NAME("tattile", Kind.TEXT, "PostgreSQL database"),
    DB_USER("tattile", Kind.TEXT, "PostgreSQL role"),
    DB_PASSWORD("tattile", Kind.SECRET, "PostgreSQL password"),
    DB_POOL_SIZE("40", Kind.positive(1, 500), "Maximum JDBC connections (ingest workers + sender threads + a few)"),
    DB_CONNECT_TIMEOUT_MS(
            "5000", Kind.positive(250, 600_000), "How long a caller waits for a pooled connection before failing"),
    DB_MIGRATE_ON_START(
            "true",
            Kind.BOOLEAN,
            "Run Flyway migrations when the service starts (one role only: with DB_OWNER_USER only 'db migrate' does)"),
    DB_OWNER_USER(
            "",
            Kind.OPTIONAL_TEXT,
            "Role that owns the tables and runs 'db migrate'; DB_USER then only reads and writes data (empty: DB_USER owns and migrates)"),
    DB_OWNER_PASSWORD_FILE(
            "",
            Kind.OPTIONAL_TEXT,
            "File holding DB_OWNER_USER's password on its first line (root's, 0600; read only by 'db migrate')"),

    TRANSIT_PORT("33334", Kind.PORT, "TCP port the Tattile cameras connect to"),
    INGEST_BIND_HOST("0.0.0.0", Kind.TEXT, "Address the camera listener binds to"),
    INGEST_MAX_FRAME_BYTES(
            "4194304",
            Kind.positive(1024, 256 * 1024 * 1024),
            "Largest XML document accepted; a larger one closes its connection"),
    INGEST_IDLE_TIMEOUT_SECONDS(
            "900", Kind.positive(0, 7 * 24 * 3600), "Close a camera connection silent for this long (0 = never)"),
    INGEST_WORKER_THREADS("16", Kind.positive(1, 512), "Netty worker threads that frame, parse and store readings"),
    INGEST_ALLOWED_SOURCES(
            "",
            Kind.CIDR_LIST,
            "Addresses (CIDR blocks, comma list) that may connect to the camera port (the cameras' own, from the PROXY header, with INGEST_PROXY_PROTOCOL); empty: any"),
    INGEST_PROXY_PROTOCOL(
            "false",
            Kind.BOOLEAN,
            "true when the camera port is behind a TCP balancer sending the PROXY protocol (v1 or v2): each camera's address comes from it, and a connection without it is refused"),
    INGEST_PROXY_SOURCES(
            "",
            Kind.CIDR_LIST,
            "Balancers (CIDR blocks, comma list) that may connect and send PROXY headers; required with INGEST_PROXY_PROTOCOL=true"),
    INGEST_MAX_AGE_DAYS("30", Kind.positive(1, 3650), "A reading older than this many days is refused"),
    INGEST_MAX_FUTURE_SECONDS(
            "600",
            Kind.positive(0, 86_400),
            "A reading more than this many seconds ahead of the server's clock is refused"),
    INGEST_STORE_RETRY_MAX(
            "20", Kind.positive(0, 10_000), "Attempts to store a reading while the database is unavailable"),
    INGEST_STORE_RETRY_DELAY_MS(
            "500", Kind.positive(1, 600_000), "First delay between those attempts (doubles up to 10 s)"),
    CAMERA_TIMEZONE("Europe/Madrid", Kind.ZONE, "Time zone of camera clocks when the camera row sets none"),
    CAMERA_CACHE_SECONDS("10", Kind.positive(0, 3600), "How long a camera lookup is cached (0 = no cache)"),
    CAMERA_SILENCE_DEFAULT(
            "none",
            Kind.SILENCE,
            "How long a camera may stay silent before it is reported (e.g. 1h, 30m; none = not watched), for cameras"
                    + " without their own --expect-readings-within"),
    CAMERA_ACTIVITY_FLUSH_SECONDS(
            "2",
            Kind.positive(1, 300),
            "How often each camera's last reading time and address are written to the database (one statement for all)"),

    LECTORVISION_PORT(
            "",
            Kind.OPTIONAL_PORT,
            "Port of the Windows Lector Vision forwarder's POST /ingest/lectorvision, without an API key (empty: off)"),
    LECTORVISION_BIND_HOST("0.0.0.0", Kind.TEXT, "Address the Lector Vision forwarder's port binds to"),
    LECTORVISION_ALLOWED_SOURCES(
            "",
            Kind.CIDR_LIST,
            "Addresses (CIDR blocks, comma list) that may post to LECTORVISION_PORT; empty: none (every request gets 403)"),

    IMAGE_STORE(
            "folder",
            Kind.oneOf("folder", "s3"),
            "Where reading images are kept: folder (IMAGES_BASE_DIR) or s3 (a bucket of an S3-compatible service, S3_*)"),
    IMAGES_BASE_DIR("/var/lib/tattile-sender/images", Kind.TEXT, "Folder where reading images are stored"),
    IMAGES_FSYNC(
            "false",
            Kind.BOOLEAN,
            "fsync each image before its reading is committed (survives power loss, costs throughput)"),
    S3_ENDPOINT(
            "",
            Kind.OPTIONAL_URL,
            "URL of the S3-compatible service (AWS S3, Ceph RGW, Garage, MinIO, SeaweedFS); needed with IMAGE_STORE=s3"),
    S3_BUCKET("", Kind.OPTIONAL_BUCKET, "Bucket the images go to (it must exist); needed with IMAGE_STORE=s3"),
    S3_REGION(
            "us-east-1",
            Kind.REGION,
            "Region requests are signed for (AWS: the bucket's; most other services accept any, Garage wants its own)"),
    S3_ACCESS_KEY_ID("", Kind.OPTIONAL_TEXT, "Access key id of the bucket's user; needed with IMAGE_STORE=s3"),
    S3_SECRET_ACCESS_KEY_FILE(
            "",
            Kind.OPTIONAL_TEXT,
            "File holding the secret access key on its first line (keep it 0600); or set S3_SECRET_ACCESS_KEY"),
    S3_SECRET_ACCESS_KEY(
            "",
            Kind.SECRET,
            "The secret access key itself, when S3_SECRET_ACCESS_KEY_FILE is not used (prefer the file)"),
    S3_PATH_STYLE(
            "true",
            Kind.BOOLEAN,
            "Path-style requests (endpoint/bucket/key), which most S3-compatible services need; false: bucket.endpoint/key"),
    S3_PREFIX("", Kind.OPTIONAL_KEY_PREFIX, "Prefix of every image key in the bucket, e.g. tattile/ (empty: none)"),
    IMAGES_ORPHAN_GRACE_MINUTES(
            "60", Kind.positive(1, 100_000), "Age after which an image no reading references is deleted"),
    MAINTENANCE_INTERVAL_MINUTES(
            "30",
            Kind.decimal(0.01, 100_000),
            "How often one instance of the cluster runs the maintenance jobs (orphan images, DEAD retention)"),

    SENDER_ENABLED("true", Kind.BOOLEAN, "Run the sender flow (false: readings are only queued)"),
    SENDER_POLL_INTERVAL_SECONDS("0.5", Kind.decimal(0.05, 3600), "How often the sender looks for due readings"),
    SENDER_MAX_BATCH_SIZE("50", Kind.positive(1, 1000), "Most readings claimed per poll"),
    SENDER_CONCURRENCY("128", Kind.positive(1, 512), "Signed sends in flight (in all, and per endpoint)"),
    SENDER_SIGNING_CONCURRENCY(
            "4",
            Kind.positive(1, 512),
            "Of those, sends being built, signed and written at once (the CPU part); the others wait for their answer"),
    SENDER_LEASE_SECONDS(
            "120",
            Kind.positive(10, 86_400),
            "A claimed reading not finished within this time is recovered and retried"),
    SENDER_DEFAULT_RETRY_MAX("10", Kind.positive(0, 1000), "Failed attempts allowed when the endpoint row sets none"),
    SENDER_DEFAULT_BACKOFF_MS(
            "5000",
            Kind.positive(1, 86_400_000),
            "First retry delay when the endpoint row sets none (doubles, with jitter)"),
    SENDER_MAX_BACKOFF_MS("600000", Kind.positive(1, 86_400_000), "Longest delay between two attempts"),
    SENDER_SUCCESS_CODES("1,0000,OK,1.0", Kind.TEXT, "codiRetorn values that mean delivered"),
    SENDER_DEAD_RETENTION_DAYS("7", Kind.positive(1, 3650), "Days DEAD readings and their images are kept for requeue"),
    SENDER_BREAKER_FAILURES(
            "5", Kind.positive(1, 1000), "Consecutive transport failures that open an endpoint's circuit breaker"),
    SENDER_BREAKER_OPEN_SECONDS(
            "30", Kind.positive(1, 3600), "How long an open breaker holds readings before a trial send"),
    SENDER_HEALTHY_WINDOW_SECONDS(
            "300",
            Kind.positive(1, 86_400),
            "A failure burns a retry only if the endpoint delivered something this recently"),
    SENDER_INSTANCE_ID(
            "",
            Kind.OPTIONAL_IDENTIFIER,
            "Name of this instance in queue leases and in /health's maintenance holders (default: host name and process id)"),
    MOSSOS_ENDPOINT_URL("", Kind.OPTIONAL_URL, "Global Mossos endpoint when neither camera nor municipality sets one"),
    MOSSOS_WSDL_URL(
            "classpath:wsdl/matricules.wsdl",
            Kind.TEXT,
            "WSDL of the matricula service (replace with the official one)"),
    AUDIT_ENABLED("true", Kind.BOOLEAN, "Write a delivery_log row for each delivery outcome"),
    SOAP_DEBUG("false", Kind.BOOLEAN, "Log SOAP envelopes (images elided)"),

    API_PORT("8000", Kind.PORT, "HTTP API port (health, metrics, Lector Vision ingest, admin resources)"),
    API_BIND_HOST("0.0.0.0", Kind.TEXT, "Address the HTTP API binds to"),
    API_MAX_BODY_BYTES(
            "2097152",
            Kind.positive(1024, 64L * 1024 * 1024),
            "Largest Lector Vision reading (two images as Base64 and their fields); a larger body gets 413"),
    API_RATE_LIMIT_PER_MINUTE(
            "600", Kind.positive(1, 10_000_000), "Requests per minute allowed per API key (then 429)"),
    API_IP_RATE_LIMIT_PER_MINUTE(
            "1200", Kind.positive(1, 10_000_000), "Requests per minute allowed per client address (then 429)"),
    API_MAX_CONNECTIONS(
            "256", Kind.positive(1, 100_000), "Open HTTP connections allowed in all; more are closed at once"),
    API_MAX_CONNECTIONS_PER_CLIENT(
            "32",
            Kind.positive(1, 100_000),
            "Open HTTP connections allowed per client address; more are closed at once"),
    API_MAX_REQUESTS_IN_PROGRESS(
            "32", Kind.positive(1, 10_000), "Requests handled at once; more get 503 with Retry-After"),
    API_HEADER_TIMEOUT_SECONDS(
            "10",
            Kind.positive(1, 3600),
            "A new connection must send a complete request line and headers within this time"),
    API_IDLE_TIMEOUT_SECONDS(
            "30", Kind.positive(1, 3600), "A kept-alive connection must begin its next request within this time"),
    API_REQUEST_TIMEOUT_SECONDS(
            "30",
            Kind.positive(1, 3600),
            "A request (body included) must be received and answered within this time (then 408)"),
    API_PROXY_PROTOCOL(
            "false",
            Kind.BOOLEAN,
            "true when the API is behind HAProxy sending the PROXY protocol: the client address comes from it"),
    API_HEALTH_CACHE_SECONDS(
            "5",
            Kind.positive(1, 3600),
            "GET /health and the queue gauges of /metrics are computed at most once in this time"),

    JOLOKIA_PORT("8778", Kind.positive(0, 65_535), "Jolokia (JMX over HTTP, for Hawtio) on 127.0.0.1; 0 = off"),
    JOLOKIA_USER(
            "",
            Kind.OPTIONAL_IDENTIFIER,
            "User Hawtio logs in to Jolokia with (Jolokia starts only with a user and a password file)"),
    JOLOKIA_PASSWORD_FILE("", Kind.OPTIONAL_TEXT, "File holding Jolokia's password on its first line (keep it 0600)"),

    CERTS_DIR("/etc/tattile-sender/certs", Kind.TEXT, "Folder of the municipalities' certificates"),
    CRYPTO_PROVIDER(
            "auto",
            Kind.oneOf("auto", "jdk"),
            "Signing crypto: auto = Amazon Corretto Crypto Provider where it loads (faster RSA/SHA-256), else the JDK's; jdk = always the JDK's"),
    LOG_LEVEL("INFO", Kind.LOG_LEVEL, "Root log level (TRACE, DEBUG, INFO, WARN, ERROR)"),
    TATTILE_FLOWS("all", Kind.FLOWS, "Flows this process runs: all, or a comma list of ingest,sender,maintenance,api"),
    ROUTES_DIR(
            "",
            Kind.OPTIONAL_DIRECTORY,
            "Folder of YAML routes to run instead of the packaged ones (see 'routes export')");

    private final String defaultValue;
    private final Kind kind;
    private final String description;

    Setting(String defaultValue, Kind kind, String description) {
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.description = description;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public Kind kind() {
        return kind;
    }

    public String description() {
        return description;
    }
}
