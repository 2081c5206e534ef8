package routes.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection over a plain socket, from a chosen loopback address (127.0.0.x), for tests that
 * need what an HTTP client library will not do: send headers and hold the body back, trickle bytes, read
 * the answer before the body is sent, see the server close the connection.
 */
public final class RawHttp implements AutoCloseable {

    /** A response as read: status line code, the head and whatever of the body arrived. */
    public record Response(int status, String head, String body) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final Socket socket = new Socket();

    public RawHttp(String fromAddress, int port) throws IOException {
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    }

    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return this;
    }

    public RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one response (head, then the body by Content-Length, or until the connection closes). */
    public Response read(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(
                        "connection closed before a response: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        Response partial = new Response(status, h, "");
        String length = partial.header("Content-Length");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (length != null) {
            int n = Integer.parseInt(length);
            for (int i = 0; i < n; i++) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                body.write(b);
            }
        }
        return new Response(status, h, body.toString(StandardCharsets.UTF_8));
    }

    /** True when the server closes the connection (end of stream or reset) within the wait; data before it is skipped. */
    public boolean closedByServer(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            while (in.read(buffer) >= 0) {
                // skip whatever the server still sends
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
