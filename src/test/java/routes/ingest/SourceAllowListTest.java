package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The CIDR matching behind cameras' --allowed-sources and INGEST_ALLOWED_SOURCES. */
class SourceAllowListTest {

    @Test
    void blocksOfBothFamiliesMatchTheirAddressesOnly() throws Exception {
        SourceAllowList list = SourceAllowList.parseList("192.0.2.10, 10.1.0.0/16, 2001:db8::/48");
        assertThat(list.blocks()).containsExactly("192.0.2.10/32", "10.1.0.0/16", "2001:db8::/48");
        assertThat(list.allows(InetAddress.getByName("192.0.2.10"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("192.0.2.11"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("10.1.255.7"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("2001:db8:0:ffff::1"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("::ffff:192.0.2.10")))
                .as("IPv4 mapped into IPv6")
                .isTrue();
        assertThat(list.allows((Object) new InetSocketAddress("10.1.2.3", 5000)))
                .isTrue();
        assertThat(list.allows((Object) "/192.0.2.10:41000"))
                .as("as Netty prints a peer")
                .isTrue();
        assertThat(list.allows((Object) null)).isFalse();
    }

    @Test
    void anEmptyListAllowsEveryAddress() throws Exception {
        assertThat(SourceAllowList.parseList("").allows(InetAddress.getByName("203.0.113.5")))
                .isTrue();
        assertThat(SourceAllowList.parseList(" ").allowsAny()).isTrue();
    }

    @Test
    void hostNamesAndBadPrefixesAreRefusedWithoutAnyLookup() {
        for (String bad : List.of(
                "camera.example.org",
                "localhost",
                "abc",
                "deadbeef",
                "1.2.3",
                "256.1.1.1",
                "1.2.3.4/33",
                "::1/129",
                "1.2.3.4/-1",
                "1.2.3.4/x",
                "1.2.3.4/",
                "10.1.2.3/16")) {
            assertThatThrownBy(() -> SourceAllowList.parseList(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SourceAllowList.address("camera.example.org"))
                .as("text that is not an address is never resolved")
                .isNull();
    }

    @Property(tries = 300)
    void anAddressIsInsideTheBlockOfItsOwnLeadingBitsAndOutsideOnceOneOfThemFlips(
            @ForAll @IntRange(min = 0, max = 255) int a,
            @ForAll @IntRange(min = 0, max = 255) int b,
            @ForAll @IntRange(min = 0, max = 255) int c,
            @ForAll @IntRange(min = 0, max = 255) int d,
            @ForAll @IntRange(min = 0, max = 32) int bits)
            throws Exception {
        long value = ((long) a << 24) | (b << 16) | (c << 8) | d;
        String address = a + "." + b + "." + c + "." + d;
        long networkValue = bits == 0 ? 0 : value & (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        String network = ((networkValue >> 24) & 255) + "." + ((networkValue >> 16) & 255) + "."
                + ((networkValue >> 8) & 255) + "." + (networkValue & 255);
        assertThat(SourceAllowList.parseList(network + "/" + bits).allows(InetAddress.getByName(address)))
                .isTrue();
        if (bits > 0) {
            long flipped = value ^ (1L << (32 - bits)); // the last bit the block fixes, flipped
            String other = ((flipped >> 24) & 255) + "." + ((flipped >> 16) & 255) + "." + ((flipped >> 8) & 255) + "."
                    + (flipped & 255);
            assertThat(SourceAllowList.parseList(network + "/" + bits).allows(InetAddress.getByName(other)))
                    .as(other)
                    .isFalse();
        }
    }

    @Test
    void jpegsStartWithSoiAndHoldAnEoiPaddingAfterItIsFine() {
        byte[] minimal = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, (byte) 0xFF, (byte) 0xD9};
        assertThat(ReadingPlausibility.isJpeg(minimal)).isTrue();
        byte[] padded = Arrays.copyOf(minimal, 64);
        assertThat(ReadingPlausibility.isJpeg(padded)).isTrue();
        assertThat(ReadingPlausibility.isJpeg(Arrays.copyOf(minimal, 5)))
                .as("no EOI")
                .isFalse();
        assertThat(ReadingPlausibility.isJpeg("<html></html>".getBytes())).isFalse();
        assertThat(ReadingPlausibility.isJpeg(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xFF, (byte) 0xD9}))
                .as("PNG")
                .isFalse();
        assertThat(ReadingPlausibility.isJpeg(new byte[0])).isFalse();
    }
}
