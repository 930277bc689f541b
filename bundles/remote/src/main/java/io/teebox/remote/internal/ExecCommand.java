package io.teebox.remote.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.osgi.framework.BundleContext;

/**
 * {@code ssh -p 8101 teebox@127.0.0.1 COMMANDS}: runs the Gogo program in a session of its own on the channel's
 * streams, prints its result and exits with the batch modes' status (0 ran, 1 a command failed with its message on
 * stderr, 2 a REJECTED verdict, 3 the platform did not become ready).
 */
final class ExecCommand extends ChannelCommand {

    private final String program;

    ExecCommand(BundleContext context, CommandProcessor processor, String program) {
        super(context, processor);
        this.program = program;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        thread = new Thread(this::run, "teebox-ssh-exec");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code;
        try (CommandSession session = Sessions.create(processor, in, o, e)) {
            String notReady = Sessions.awaitReady(context, session);
            if (notReady != null) {
                e.println("teebox: error: the platform is not ready: " + notReady);
                code = Sessions.NOT_READY;
            } else {
                code = Sessions.run(session, program, o, e);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            code = Sessions.FAILED;
        } catch (RuntimeException re) {
            e.println("teebox: error: " + Sessions.message(re));
            code = Sessions.FAILED;
        }
        o.flush();
        e.flush();
        exit.onExit(code);
    }

    @Override
    public void destroy(ChannelSession channel) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }
}
