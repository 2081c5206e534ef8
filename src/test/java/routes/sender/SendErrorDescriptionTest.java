package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

/** What a failed send leaves in the log and in messages_queue.last_error: short, and without a URL's password. */
class SendErrorDescriptionTest {

    @Test
    void aUrlsUserAndPasswordAreReplacedWherever() {
        assertThat(MossosClient.withoutCredentials("Problem parsing 'https://ayto:p4ss@mossos.example/m.wsdl'."))
                .isEqualTo("Problem parsing 'https://***@mossos.example/m.wsdl'.");
        assertThat(MossosClient.withoutCredentials("http://a:b@h1/x and http://c@h2/y"))
                .isEqualTo("http://***@h1/x and http://***@h2/y");
        assertThat(MossosClient.withoutCredentials("http://mossos.example/m.wsdl: refused"))
                .isEqualTo("http://mossos.example/m.wsdl: refused");
        assertThat(MossosClient.withoutCredentials(null)).isNull();
    }

    @Test
    void theDescriptionOfAWrappedFailureHasNoPassword() {
        Exception e = new RuntimeCamelException(
                new IOException("Problem parsing 'http://tattile:s3cret@127.0.0.1:1/matricules.wsdl'.\nmore"));

        assertThat(SendOutcomes.describe(e))
                .isEqualTo("IOException: Problem parsing 'http://***@127.0.0.1:1/matricules.wsdl'.")
                .doesNotContain("s3cret");
    }
}
