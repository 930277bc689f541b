package io.teebox.remote.internal;

import java.io.InputStream;
import java.io.OutputStream;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.command.Command;
import org.osgi.framework.BundleContext;

/** What an SSH channel's command ({@link ExecCommand}, {@link ShellCommand}) is handed before it starts. */
abstract class ChannelCommand implements Command {

    protected final BundleContext context;
    protected final CommandProcessor processor;
    protected InputStream in;
    protected OutputStream out;
    protected OutputStream err;
    protected ExitCallback exit;
    protected volatile Thread thread;

    ChannelCommand(BundleContext context, CommandProcessor processor) {
        this.context = context;
        this.processor = processor;
    }

    @Override
    public final void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public final void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public final void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public final void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }
}
