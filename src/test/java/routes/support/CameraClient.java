package routes.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A camera's side of a TCP connection, for tests. */
public final class CameraClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private final OutputStream out;

    public CameraClient(int port) throws IOException {
        this(null, port);
    }

    /** A connection from a chosen local address (a loopback alias such as 127.0.0.2), or any when null. */
    public CameraClient(String fromAddress, int port) throws IOException {
        socket.setTcpNoDelay(true);
        if (fromAddress != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        out = socket.getOutputStream();
    }

    public CameraClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public CameraClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one byte per write, each flushed on its own. */
    public CameraClient sendByteByByte(byte[] bytes) throws IOException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
        return this;
    }

    /** True when the service has closed this connection (read returns end of stream within the wait). */
    public boolean closedByServer(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        InputStream in = socket.getInputStream();
        try {
            return in.read() < 0;
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
