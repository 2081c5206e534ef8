package routes.ingest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Addresses allowed to send readings: a list of CIDR blocks ({@code 192.0.2.10/32}, {@code 10.1.0.0/16},
 * {@code 2001:db8::/48}; a bare address is its own /32 or /128). An empty list allows every address. IPv4
 * addresses mapped into IPv6 ({@code ::ffff:192.0.2.10}) match their IPv4 blocks.
 */
public final class SourceAllowList {

    /** One block: the network's address bytes and how many leading bits must match. */
    private record Block(byte[] network, int bits, String text) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    public static final SourceAllowList ANY = new SourceAllowList(List.of());

    private final List<Block> blocks;

    private SourceAllowList(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses CIDR blocks (each as PostgreSQL's {@code cidr} or a bare address).
     *
     * @throws IllegalArgumentException naming the first entry that is not one
     */
    public static SourceAllowList of(Collection<String> cidrs) {
        List<Block> out = new ArrayList<>();
        for (String raw : cidrs) {
            String c = raw == null ? "" : raw.strip();
            if (c.isEmpty()) {
                continue;
            }
            out.add(parse(c));
        }
        return new SourceAllowList(out);
    }

    /** A comma list ({@code INGEST_ALLOWED_SOURCES}, {@code --allowed-sources}); blank means any address. */
    public static SourceAllowList parseList(String commaList) {
        return commaList == null || commaList.isBlank() ? ANY : of(List.of(commaList.split(",")));
    }

    private static Block parse(String c) {
        int slash = c.indexOf('/');
        String host = slash < 0 ? c : c.substring(0, slash);
        InetAddress literal = literal(host);
        if (literal == null) {
            throw new IllegalArgumentException("'" + c + "' is not an IP address or CIDR block (e.g. 192.0.2.10/32)");
        }
        byte[] address = literal.getAddress();
        int max = address.length * 8;
        int bits = max;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(c.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + c + "': the prefix length must be 0-" + max);
            }
        }
        Block block = new Block(address, bits, host.toLowerCase(Locale.ROOT) + "/" + bits);
        byte[] network = address.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            network[i] &= (byte) (0xFF << (8 - keep));
        }
        if (!Arrays.equals(network, address)) {
            throw new IllegalArgumentException(
                    "'" + c + "' has bits set beyond its /" + bits + " prefix (a network address is needed)");
        }
        return block;
    }

    public boolean allowsAny() {
        return blocks.isEmpty();
    }

    public boolean allows(InetAddress address) {
        if (blocks.isEmpty()) {
            return true;
        }
        if (address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        byte[] v4 = ipv4Mapped(a);
        for (Block b : blocks) {
            if (b.contains(a) || (v4 != null && b.contains(v4))) {
                return true;
            }
        }
        return false;
    }

    /** A socket's peer, as Netty and Vert.x give it, or a textual address; false for anything unparsable. */
    public boolean allows(Object peer) {
        if (blocks.isEmpty()) {
            return true;
        }
        InetAddress a = address(peer);
        return a != null && allows(a);
    }

    /** The blocks in their normal form, for display and storage. */
    public List<String> blocks() {
        return blocks.stream().map(Block::text).toList();
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "any" : String.join(",", blocks());
    }

    /** The address of a peer given as a SocketAddress, an InetAddress, or text ("192.0.2.1", "/192.0.2.1:5000"). */
    public static InetAddress address(Object peer) {
        if (peer instanceof InetSocketAddress isa) {
            return isa.getAddress();
        }
        if (peer instanceof InetAddress ia) {
            return ia;
        }
        if (peer instanceof SocketAddress || peer instanceof CharSequence) {
            String s = peer.toString().strip();
            if (s.startsWith("/")) {
                s = s.substring(1);
            }
            int lastColon = s.lastIndexOf(':');
            if (lastColon > 0 && s.indexOf(':') == lastColon && s.indexOf('.') > 0) {
                s = s.substring(0, lastColon); // a.b.c.d:port
            }
            if (s.startsWith("[") && s.contains("]")) {
                s = s.substring(1, s.indexOf(']'));
            }
            return literal(s);
        }
        return null;
    }

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** A literal IPv4 (dotted quad) or IPv6 address, never a host name (no DNS lookup); null otherwise. */
    static InetAddress literal(String s) {
        if (s == null || !(IPV4.matcher(s).matches() || IPV6.matcher(s).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(s); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] ipv4Mapped(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return null;
            }
        }
        if ((a[10] & 0xFF) != 0xFF || (a[11] & 0xFF) != 0xFF) {
            return null;
        }
        return new byte[] {a[12], a[13], a[14], a[15]};
    }
}
