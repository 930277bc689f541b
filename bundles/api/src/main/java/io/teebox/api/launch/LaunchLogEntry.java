package io.teebox.api.launch;

import java.util.Objects;

import io.teebox.api.tee.FirmwareStatus;

/**
 * One firmware command of a launch, as the vendor names it, with the status it returned.
 *
 * @param sequence position in the guest's log, from 1
 * @param command the vendor's command name, for example {@code "LAUNCH_UPDATE_DATA"}
 * @param status the status the firmware returned
 * @param detail the command's arguments and results in a line, for example {@code "paddr=0xFFFC0000 len=0x40000"}
 */
public record LaunchLogEntry(int sequence, String command, FirmwareStatus status, String detail) {

    /** Creates an entry. */
    public LaunchLogEntry {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return String.format("%3d %-22s %-28s %s", sequence, command, status, detail);
    }
}
