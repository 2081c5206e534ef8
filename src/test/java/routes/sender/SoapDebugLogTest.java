package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The masking of SOAP_DEBUG, on its own: image element text never copied, whatever the size, the split or the end. */
class SoapDebugLogTest {

    private static final String IMAGE = "/9j/4AAQSkZJRgABAQAAAQABAAD" + "x".repeat(5000);

    private static String copy(String xml, int limit, int chunk) {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        SoapDebugLog.MaskedCopy copy = new SoapDebugLog.MaskedCopy(limit);
        for (int at = 0; at < bytes.length; at += chunk) {
            copy.write(bytes, at, Math.min(chunk, bytes.length - at));
        }
        return copy.text(StandardCharsets.UTF_8);
    }

    @Test
    void imageTextIsReplacedByItsSizeWithAnyPrefixAndAnyWriteSize() {
        String xml =
                "<soap:Body><m:matriculaRequest xmlns:m=\"urn:x\"><m:matricula>1234ABC</m:matricula><m:imgMatricula>"
                        + IMAGE + "</m:imgMatricula><imgContext a=\"b>c\">" + IMAGE
                        + "</imgContext><m:pais>ES</m:pais></m:matriculaRequest></soap:Body>";
        for (int chunk : new int[] {1, 3, 64, 8192, xml.length()}) {
            String out = copy(xml, Integer.MAX_VALUE, chunk);
            assertThat(out)
                    .as("written %d bytes at a time", chunk)
                    .doesNotContain("/9j/", "xxxx")
                    .isEqualTo(
                            "<soap:Body><m:matriculaRequest xmlns:m=\"urn:x\"><m:matricula>1234ABC</m:matricula><m:imgMatricula>"
                                    + "[image not logged: 5027 bytes]</m:imgMatricula><imgContext a=\"b>c\">[image not logged: 5027 bytes]</imgContext>"
                                    + "<m:pais>ES</m:pais></m:matriculaRequest></soap:Body>");
        }
    }

    @Test
    void anImageCutOffByTheLimitOrTheEndOfTheTextIsMaskedToTheEnd() {
        String xml =
                "<m:matricula>1234ABC</m:matricula><m:imgMatricula>" + IMAGE + "</m:imgMatricula><m:pais>ES</m:pais>";
        assertThat(copy(xml.substring(0, 2000), Integer.MAX_VALUE, 100))
                .isEqualTo(
                        "<m:matricula>1234ABC</m:matricula><m:imgMatricula>[image not logged: 1950 bytes, element not closed]");
        String limited = copy(xml, 60, 7);
        assertThat(limited)
                .startsWith("<m:matricula>1234ABC</m:matricula><m:imgMatricula>[image")
                .doesNotContain("/9j/")
                .hasSize(60);
        assertThat(SoapDebugLog.mask("<r><imgContext>" + IMAGE.substring(0, 300)))
                .isEqualTo("<r><imgContext>[image not logged: 300 bytes, element not closed]");
    }

    @Test
    void emptyAndSelfClosedImagesOtherElementsAndMarkupInsideAnImageAreHandled() {
        assertThat(copy(
                        "<a><m:imgMatricula/><imgContext></imgContext><imgMatriculaX>kept</imgMatriculaX></a>",
                        1000,
                        1))
                .isEqualTo(
                        "<a><m:imgMatricula/><imgContext>[image not logged: 0 bytes]</imgContext><imgMatriculaX>kept</imgMatriculaX></a>");
        assertThat(copy("<imgContext><![CDATA[/9j/abc]]><!-- < --></imgContext><b>x</b>", 1000, 2))
                .isEqualTo("<imgContext>[image not logged: 29 bytes]</imgContext><b>x</b>");
    }
}
