package io.teebox.boot.eventlog;

import java.nio.charset.StandardCharsets;

/**
 * What GRUB's TPM verifier (grub-core/commands/tpm.c, grub-core/commands/efi/tpm.c) logs through the TCG2 protocol:
 * every EV_IPL, the event data a description with its terminating NUL. Commands and command lines go into PCR 8 as
 * "grub_cmd: ", "kernel_cmdline: " or "module_cmdline: " and the string, the digest being of the string alone
 * without prefix or NUL; every file it opens for loading (kernel, initrd, config) goes into PCR 9, the event data its
 * path and the digest of its contents.
 */
public final class GrubMeasurements {

    /** GRUB_STRING_PCR. */
    public static final int STRING_PCR = 8;
    /** GRUB_BINARY_PCR. */
    public static final int BINARY_PCR = 9;
    /** The prefix of an executed command. */
    public static final String COMMAND_PREFIX = "grub_cmd: ";
    /** The prefix of a kernel command line. */
    public static final String KERNEL_CMDLINE_PREFIX = "kernel_cmdline: ";
    /** The prefix of a module's command line. */
    public static final String MODULE_CMDLINE_PREFIX = "module_cmdline: ";

    private GrubMeasurements() {
    }

    /**
     * Logs a GRUB command as it executes it, e.g. "linux /vmlinuz root=/dev/vda1".
     *
     * @param log the log
     * @param command the command and its arguments, space-separated
     * @return the log
     */
    public static EventLogBuilder command(EventLogBuilder log, String command) {
        return string(log, COMMAND_PREFIX, command);
    }

    /**
     * Logs the kernel command line GRUB passes to Linux.
     *
     * @param log the log
     * @param cmdline the command line, e.g. "/vmlinuz root=/dev/vda1 ro"
     * @return the log
     */
    public static EventLogBuilder kernelCmdline(EventLogBuilder log, String cmdline) {
        return string(log, KERNEL_CMDLINE_PREFIX, cmdline);
    }

    /**
     * Logs a module's command line.
     *
     * @param log the log
     * @param cmdline the command line
     * @return the log
     */
    public static EventLogBuilder moduleCmdline(EventLogBuilder log, String cmdline) {
        return string(log, MODULE_CMDLINE_PREFIX, cmdline);
    }

    /**
     * Logs a file GRUB read: its path as event data, its contents measured.
     *
     * @param log the log
     * @param path the path as GRUB names it, e.g. "(hd0,gpt2)/vmlinuz"
     * @param contents the file's bytes
     * @return the log
     */
    public static EventLogBuilder file(EventLogBuilder log, String path, byte[] contents) {
        return log.extend(BINARY_PCR, EventType.EV_IPL, nulTerminated(path), Measured.bytes(contents));
    }

    private static EventLogBuilder string(EventLogBuilder log, String prefix, String s) {
        return log.extend(STRING_PCR, EventType.EV_IPL, nulTerminated(prefix + s),
                Measured.bytes(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] nulTerminated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }
}
