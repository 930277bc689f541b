package io.teebox.remote.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;

/**
 * {@code ssh -p 8101 teebox@127.0.0.1}: Gogo's own interactive shell ({@link Shell} of gogo.jline, as on the console)
 * on a JLine terminal built on the channel's streams, with the client's terminal type, size and modes: line editing,
 * history and tab completion as on the console. It sources the same profile ({@code etc/gosh_profile}), so the
 * session waits for the platform and installs completion. {@code exit}, {@code logout} or Ctrl-D end the session;
 * the platform runs on.
 */
final class ShellCommand extends ChannelCommand {

    private volatile Terminal terminal;
    private volatile Shell shell;

    ShellCommand(BundleContext context, CommandProcessor processor) {
        super(context, processor);
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Map<String, String> vars = env.getEnv();
        boolean pty = vars.containsKey(Environment.ENV_TERM);
        Terminal t = TerminalBuilder.builder()
                .name("teebox-ssh")
                .system(false)
                .type(pty ? vars.get(Environment.ENV_TERM) : "dumb")
                .streams(in, out)
                .encoding(StandardCharsets.UTF_8)
                .attributes(attributes(pty, env.getPtyModes()))
                .size(new Size(number(vars.get(Environment.ENV_COLUMNS), 80), number(vars.get(Environment.ENV_LINES),
                        24)))
                .build();
        terminal = t;
        env.addSignalListener((ch, signal) -> {
            t.setSize(new Size(number(vars.get(Environment.ENV_COLUMNS), t.getWidth()),
                    number(vars.get(Environment.ENV_LINES), t.getHeight())));
            t.raise(Terminal.Signal.WINCH);
        }, Signal.WINCH);
        thread = new Thread(this::run, "teebox-ssh-shell-" + channel.getSession().getUsername());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        int code = 0;
        Terminal t = terminal;
        PrintStream console = new PrintStream(t.output(), true, StandardCharsets.UTF_8);
        try (CommandSession session = Sessions.create(processor, t.input(), console, console)) {
            Shell s = new Shell(new Shell.Context() {
                @Override
                public String getProperty(String name) {
                    return context.getProperty(name);
                }

                @Override
                public void exit() {
                    // a remote session never stops the platform: it ends itself
                    Shell own = shell;
                    if (own != null) {
                        own.stop();
                    }
                }
            }, processor);
            shell = s;
            session.put(Shell.VAR_TERMINAL, t);
            Function end = (sess, args) -> {
                s.stop();
                return null;
            };
            session.put("exit", end);
            session.put("logout", end);
            // --login sources etc/gosh_profile into this session; --noshutdown: its end never stops the framework
            s.gosh(session, new String[] {"--login", "--noshutdown"});
        } catch (Exception e) {
            try {
                new PrintStream(err, true, StandardCharsets.UTF_8).println("teebox: error: " + Sessions.message(e));
            } catch (RuntimeException ignored) {
                // the channel is gone
            }
            code = 1;
        } finally {
            try {
                t.writer().flush();
                t.close();
            } catch (IOException ignored) {
                // the channel is gone
            }
        }
        exit.onExit(code);
    }

    @Override
    public void destroy(ChannelSession channel) throws Exception {
        Shell s = shell;
        if (s != null) {
            s.stop();
        }
        Terminal t = terminal;
        if (t != null) {
            t.close();
        }
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }

    /**
     * The terminal modes: a PTY's defaults (echo, canonical input, signals, CR to NL on input, NL to CR-NL on output),
     * then whatever the client sent; without a PTY, plain lines, no echo.
     */
    static Attributes attributes(boolean pty, Map<PtyMode, Integer> modes) {
        Attributes a = new Attributes();
        if (!pty) {
            return a;
        }
        a.setLocalFlags(java.util.EnumSet.of(Attributes.LocalFlag.ECHO, Attributes.LocalFlag.ICANON,
                Attributes.LocalFlag.ISIG, Attributes.LocalFlag.IEXTEN, Attributes.LocalFlag.ECHOE,
                Attributes.LocalFlag.ECHOK), true);
        a.setInputFlags(java.util.EnumSet.of(Attributes.InputFlag.ICRNL), true);
        a.setOutputFlags(java.util.EnumSet.of(Attributes.OutputFlag.OPOST, Attributes.OutputFlag.ONLCR), true);
        a.setControlChar(Attributes.ControlChar.VINTR, 3);
        a.setControlChar(Attributes.ControlChar.VEOF, 4);
        a.setControlChar(Attributes.ControlChar.VERASE, 127);
        a.setControlChar(Attributes.ControlChar.VKILL, 21);
        a.setControlChar(Attributes.ControlChar.VSUSP, 26);
        a.setControlChar(Attributes.ControlChar.VQUIT, 28);
        a.setControlChar(Attributes.ControlChar.VWERASE, 23);
        a.setControlChar(Attributes.ControlChar.VLNEXT, 22);
        for (Map.Entry<PtyMode, Integer> m : modes.entrySet()) {
            String name = m.getKey().name();
            int v = m.getValue();
            if (PtyMode.isCharSetting(m.getKey())) {
                Attributes.ControlChar c = constant(Attributes.ControlChar.class, name);
                if (c != null && v != 255) {
                    a.setControlChar(c, v);
                }
                continue;
            }
            boolean on = v != 0;
            Attributes.LocalFlag l = constant(Attributes.LocalFlag.class, name);
            Attributes.InputFlag i = constant(Attributes.InputFlag.class, name);
            Attributes.OutputFlag o = constant(Attributes.OutputFlag.class, name);
            if (l != null) {
                a.setLocalFlag(l, on);
            } else if (i != null) {
                a.setInputFlag(i, on);
            } else if (o != null) {
                a.setOutputFlag(o, on);
            }
        }
        return a;
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String name) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int number(String s, int fallback) {
        try {
            int n = Integer.parseInt(s == null ? "" : s.strip());
            return n > 0 && n < 10_000 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
