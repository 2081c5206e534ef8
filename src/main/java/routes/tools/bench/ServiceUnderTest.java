package routes.tools.bench;

/** The service a benchmark drives: where it listens, how long it took to start, what it uses. */
interface ServiceUnderTest extends AutoCloseable {

    String host();

    int port();

    /** Process start to listening, in ms; -1 when the bench did not start it. */
    long startupMillis();

    /** Starts a measurement window of {@link #usage()}. */
    void mark();

    /** CPU, peak RSS and bytes written since {@link #mark()}; zeros when the process is not known. */
    ProcessStats.Usage usage();

    @Override
    void close() throws Exception;
}
