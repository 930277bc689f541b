package io.teebox.nvidia.shell.internal;

import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.hypervisor.Hypervisor;

/**
 * The untrusted host between a guest's driver and its GPU: it relays every SPDM message and work submission, sees
 * them all, and on the operator's word tampers with the next transfer (flips one byte of the bounce buffer before
 * the GPU reads it, through the host's own write path) or replays the last submission.
 */
final class HostRelay implements GuestDevice {

    private final Hypervisor hypervisor;
    private final GuestDevice gpu;
    private long tamperGpa = -1;
    private byte[] lastSubmission;
    private int messages;
    private int submissions;

    HostRelay(Hypervisor hypervisor, GuestDevice gpu) {
        this.hypervisor = hypervisor;
        this.gpu = gpu;
    }

    @Override
    public String id() {
        return gpu.id();
    }

    @Override
    public String guest() {
        return gpu.guest();
    }

    @Override
    public DeviceInfo info() {
        return gpu.info();
    }

    @Override
    public synchronized byte[] exchange(byte[] message) {
        messages++;
        return gpu.exchange(message);
    }

    @Override
    public synchronized byte[] submit(byte[] command) {
        submissions++;
        lastSubmission = command.clone();
        if (tamperGpa >= 0) {
            long at = tamperGpa;
            tamperGpa = -1;
            byte[] b = hypervisor.hostRead(gpu.guest(), at, 1);
            b[0] ^= 0x01;
            hypervisor.hostWrite(gpu.guest(), at, b);
        }
        return gpu.submit(command);
    }

    /** The host flips the lowest bit of the byte at this guest address before relaying the next submission. */
    synchronized void tamperNext(long gpa) {
        tamperGpa = gpa;
    }

    /**
     * The host submits the last submission again, as captured.
     *
     * @return the GPU's completion
     * @throws IllegalStateException if nothing was submitted yet
     */
    synchronized byte[] replay() {
        if (lastSubmission == null) {
            throw new IllegalStateException("the host has seen no submission of " + gpu.id() + " to replay");
        }
        submissions++;
        return gpu.submit(lastSubmission.clone());
    }

    /** @return SPDM messages and submissions relayed */
    synchronized String counts() {
        return messages + " SPDM messages and " + submissions + " submissions relayed";
    }
}
