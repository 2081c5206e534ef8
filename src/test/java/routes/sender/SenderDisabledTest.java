package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.support.TestDb;

/** SENDER_ENABLED=false keeps the sender's routes stopped: readings are only queued. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=sender",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "SENDER_ENABLED=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SenderDisabledTest {

    private final HikariDataSource db = TestDb.open();

    @BeanInject
    CamelContext context;

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void theSenderRoutesDoNotStartWhenDisabled() {
        assertThat(context.getRouteController().getRouteStatus("sender-poll")).isEqualTo(ServiceStatus.Stopped);
        assertThat(context.getRouteController().getRouteStatus("sender-lease-recovery"))
                .isEqualTo(ServiceStatus.Stopped);
        assertThat(context.getRouteController().getRouteStatus("sender-send-reading"))
                .isEqualTo(ServiceStatus.Started);
    }
}
