package io.teebox.api.hypervisor;

import java.util.List;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.Measurement;

/**
 * What a finished launch gives the operator.
 *
 * @param guest the guest, now running
 * @param measurement the measurement the firmware returned
 * @param secretsInjected how many secret packets were injected
 * @param log the firmware commands of the launch
 */
public record LaunchResult(GuestInfo guest, Measurement measurement, int secretsInjected, List<LaunchLogEntry> log) {

    /** Creates a result; the log is copied. */
    public LaunchResult {
        log = List.copyOf(log);
    }
}
