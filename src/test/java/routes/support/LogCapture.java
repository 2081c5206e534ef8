package routes.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what the application logs, to assert on the operator log lines. */
public final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    public List<String> lines() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /**
     * A copy of the events so far. Logback appends under the appender's own lock (AppenderBase.doAppend is
     * synchronized on it), so the copy takes that lock: reading the list while a thread logs threw
     * ConcurrentModificationException (MossosOutageTest, once in CI).
     */
    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    public List<String> linesContaining(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** When the first line containing {@code text} was logged (to order it against other events), or null. */
    public Instant firstLoggedAt(String text) {
        return events().stream()
                .filter(e -> e.getFormattedMessage().contains(text))
                .map(ILoggingEvent::getInstant)
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
