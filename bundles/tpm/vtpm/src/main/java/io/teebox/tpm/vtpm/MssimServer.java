package io.teebox.tpm.vtpm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;

/**
 * Serves a {@link VirtualTpm} over the Microsoft TPM 2.0 simulator's TCP protocol, as tpm2-tss's mssim TCTI speaks
 * it: on the command port, TPM_SEND_COMMAND (8), a locality byte, a 4-byte size and the command, answered by a 4-byte
 * size, the response and four zero bytes; on the platform port (command port + 1) 4-byte signals such as
 * TPM_SIGNAL_POWER_ON (1) and TPM_SIGNAL_NV_ON (11), each answered by four zero bytes. The first power-on after
 * creation or power-off is _TPM_Init; later ones change nothing, as in the simulator. Binds to loopback only.
 */
public final class MssimServer implements AutoCloseable {

    private static final int TPM_SIGNAL_POWER_ON = 1;
    private static final int TPM_SIGNAL_POWER_OFF = 2;
    private static final int TPM_SEND_COMMAND = 8;
    private static final int TPM_SIGNAL_CANCEL_ON = 9;
    private static final int TPM_SIGNAL_CANCEL_OFF = 10;
    private static final int TPM_SIGNAL_NV_ON = 11;
    private static final int TPM_SIGNAL_NV_OFF = 12;
    private static final int TPM_SIGNAL_PHYS_PRES_ON = 3;
    private static final int TPM_SIGNAL_PHYS_PRES_OFF = 4;
    private static final int TPM_SESSION_END = 20;
    private static final int TPM_STOP = 21;
    private static final int MAX_COMMAND = 1 << 16;

    private final VirtualTpm tpm;
    private final ServerSocket command;
    private final ServerSocket platform;
    private volatile boolean poweredOn;
    private volatile boolean closed;

    /**
     * Starts serving on two consecutive loopback ports.
     *
     * @param tpm the TPM
     * @param port the command port, or 0 to pick a free pair
     * @throws IOException if the ports cannot be bound
     */
    public MssimServer(VirtualTpm tpm, int port) throws IOException {
        this.tpm = Objects.requireNonNull(tpm, "tpm");
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocket c = null;
        ServerSocket p = null;
        for (int attempt = 0; attempt < 20 && p == null; attempt++) {
            c = new ServerSocket();
            c.setReuseAddress(true);
            c.bind(new InetSocketAddress(lo, port));
            try {
                p = new ServerSocket();
                p.setReuseAddress(true);
                p.bind(new InetSocketAddress(lo, c.getLocalPort() + 1));
            } catch (IOException e) {
                c.close();
                p = null;
                if (port != 0) {
                    throw e;
                }
            }
        }
        if (p == null) {
            throw new IOException("no free pair of consecutive loopback ports");
        }
        this.command = c;
        this.platform = p;
        start("mssim-command", () -> accept(command, true));
        start("mssim-platform", () -> accept(platform, false));
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The command port; the platform port is one above.
     *
     * @return the TCP port of the command socket
     */
    public int port() {
        return command.getLocalPort();
    }

    private void accept(ServerSocket server, boolean isCommand) {
        while (!closed) {
            try {
                Socket s = server.accept();
                start(isCommand ? "mssim-command-conn" : "mssim-platform-conn", () -> serve(s, isCommand));
            } catch (IOException e) {
                if (!closed) {
                    // an accept failure other than closing: keep serving the next client
                    continue;
                }
            }
        }
    }

    private void serve(Socket s, boolean isCommand) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                int code = in.readInt();
                if (code == TPM_SESSION_END || code == TPM_STOP) {
                    return;
                }
                if (isCommand && code == TPM_SEND_COMMAND) {
                    in.readUnsignedByte(); // locality: this TPM does not distinguish localities
                    int size = in.readInt();
                    if (size < 0 || size > MAX_COMMAND) {
                        return;
                    }
                    byte[] cmd = in.readNBytes(size);
                    if (cmd.length != size) {
                        return;
                    }
                    byte[] rsp = tpm.execute(cmd);
                    out.writeInt(rsp.length);
                    out.write(rsp);
                    out.writeInt(0);
                } else {
                    signal(code);
                    out.writeInt(0);
                }
                out.flush();
            }
        } catch (EOFException e) {
            // the client closed the connection (tcti-mssim's finalize just closes its sockets)
        } catch (IOException e) {
            // a broken connection ends that client only
        }
    }

    private synchronized void signal(int code) {
        switch (code) {
            case TPM_SIGNAL_POWER_ON -> {
                if (!poweredOn) {
                    tpm.reset();
                    poweredOn = true;
                }
            }
            case TPM_SIGNAL_POWER_OFF -> poweredOn = false;
            case TPM_SIGNAL_NV_ON, TPM_SIGNAL_NV_OFF, TPM_SIGNAL_CANCEL_ON, TPM_SIGNAL_CANCEL_OFF,
                    TPM_SIGNAL_PHYS_PRES_ON, TPM_SIGNAL_PHYS_PRES_OFF -> {
                // no NV availability, cancellation or physical presence to model
            }
            default -> {
                // other simulator signals (hash start/data/end, locality) are acknowledged and ignored
            }
        }
    }

    /** Stops serving; connections in progress end with their sockets. */
    @Override
    public void close() throws IOException {
        closed = true;
        command.close();
        platform.close();
    }
}
