package io.teebox.amd.sp;

import java.util.ArrayList;
import java.util.List;

import io.teebox.amd.abi.SevStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.tee.TeeException;

/**
 * The firmware commands of one launch with the status each returned, numbered from 1, as {@code guest:log} shows
 * them. Thread-safe.
 */
public final class CommandLog {

    private final List<LaunchLogEntry> entries = new ArrayList<>();

    /**
     * Records a command that succeeded.
     *
     * @param command the command, for example {@code LAUNCH_START}
     * @param detail its parameters and results
     */
    public synchronized void success(String command, String detail) {
        add(command, SevStatus.SUCCESS, detail);
    }

    /**
     * Records a refused command.
     *
     * @param command the command
     * @param status the status the firmware returned
     * @param sentence what was wrong
     * @return the exception to throw, carrying the status and the sentence
     */
    public synchronized TeeException refuse(String command, SevStatus status, String sentence) {
        add(command, status, sentence);
        return status.error(sentence);
    }

    private void add(String command, SevStatus status, String detail) {
        entries.add(new LaunchLogEntry(entries.size() + 1, command, status.status(), detail));
    }

    /** @return the entries so far */
    public synchronized List<LaunchLogEntry> entries() {
        return List.copyOf(entries);
    }
}
