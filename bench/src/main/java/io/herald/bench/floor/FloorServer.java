package io.herald.bench.floor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The floor of the engine benchmarks: a JVM server that does no work. It binds 127.0.0.1, reads
 * each keep-alive request (head lines, then Content-Length bytes of body) on one thread per
 * connection, as the engine's front end does, and answers every one with the same GetItem-sized
 * 200 in one write. What it reaches is what any JVM server reaches here with the same client: its
 * start to first answer is the JVM's, its rate with one client the kernel's and the client's round
 * trip. Built as its own small jar ({@code bench/target/herald-floor.jar}) so that its start does
 * not read the benchmark's large jar.
 *
 * <pre>java -jar bench/target/herald-floor.jar --port P</pre>
 */
public final class FloorServer {
    private static final byte[] ANSWER = answer();

    private FloorServer() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].equals("--port")) {
            System.err.println("usage: java -jar herald-floor.jar --port P");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(s));
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            StringBuilder line = new StringBuilder(64);
            while (true) {
                int length = 0;
                while (true) {
                    line.setLength(0);
                    for (int c = in.read(); c != '\n'; c = in.read()) {
                        if (c < 0) return;
                        line.append((char) c);
                    }
                    String l = line.toString().trim();
                    if (l.isEmpty()) break;
                    if (l.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(l.substring(15).trim());
                }
                in.readNBytes(length);
                out.write(ANSWER);
                out.flush();
            }
        } catch (IOException | NumberFormatException e) {
            // the client went away or sent what the floor does not read: drop the connection
        }
    }

    /** A 200 with the engine's headers and a GetItem answer of the benchmark's size (a 100-byte value). */
    private static byte[] answer() {
        String body = "{\"Item\":{\"pk\":{\"S\":\"k123\"},\"v\":{\"S\":\"" + "x".repeat(100) + "\"},\"n\":{\"N\":\"1234567890\"}}}";
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: " + body.length()
                + "\r\nx-amzn-RequestId: " + "0".repeat(52) + "\r\nx-amz-crc32: 1234567890\r\n\r\n";
        return (head + body).getBytes(StandardCharsets.US_ASCII);
    }
}
