package io.teebox.shell.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.memory.HostAccessOutcome;

/**
 * Guest memory from both sides: {@code read}/{@code write} as the guest (through its key), {@code peek}/{@code poke}
 * as the host (the stored bytes), and the host's view of a vCPU.
 */
@Component(service = MemoryCommands.class, immediate = true)
@GogoCommand(scope = "mem", function = {"read", "write", "peek", "poke", "vcpu", "share", "accept", "remap"})
@Descriptor("Guest memory as the guest sees it and as the host sees it")
public final class MemoryCommands {

    private static final int MAX = 1 << 20;

    private final Hypervisor hypervisor;
    private final org.osgi.framework.BundleContext context;

    /**
     * @param hypervisor the hypervisor
     * @param context this bundle's context, for the backends' names of return codes
     */
    @Activate
    public MemoryCommands(@Reference Hypervisor hypervisor, org.osgi.framework.BundleContext context) {
        this.hypervisor = hypervisor;
        this.context = context;
    }

    /** @return the plaintext the guest reads */
    @Descriptor("Read guest memory as the guest does (decrypted with the guest's key)")
    public MemoryDump read(@Descriptor("guest id or name") String guest,
            @Descriptor("guest physical address, e.g. 0x80A000") String gpa,
            @Descriptor("number of bytes, 1..1048576") String length) {
        long address = Args.number("gpa", gpa);
        GuestInfo g = hypervisor.guest(guest);
        return new MemoryDump(g.config().name(), "guest", address,
                hypervisor.context(guest).read(address, Args.intIn("length", length, 1, MAX)));
    }

    /** @return the plaintext now at the address */
    @Descriptor("Write guest memory as the guest does (encrypted with the guest's key)")
    public MemoryDump write(@Descriptor("guest id or name") String guest,
            @Descriptor("guest physical address") String gpa,
            @Descriptor("data: text, or hex:00ff...") String data) {
        long address = Args.number("gpa", gpa);
        byte[] bytes = Args.data("data", data);
        hypervisor.context(guest).write(address, bytes);
        return read(guest, gpa, Integer.toString(bytes.length));
    }

    /** @return the stored bytes */
    @Descriptor("Peek at guest memory as the host sees it (ciphertext for private pages)")
    public MemoryDump peek(@Descriptor("guest id or name") String guest,
            @Descriptor("guest physical address") String gpa,
            @Descriptor("number of bytes, 1..1048576") String length) {
        long address = Args.number("gpa", gpa);
        GuestInfo g = hypervisor.guest(guest);
        return new MemoryDump(g.config().name(), "host", address,
                hypervisor.hostRead(guest, address, Args.intIn("length", length, 1, MAX)));
    }

    /** @return what the TEE made of the write */
    @Descriptor("Write guest memory from the host and show what the TEE makes of it")
    public HostAccessOutcome poke(@Descriptor("guest id or name") String guest,
            @Descriptor("guest physical address") String gpa,
            @Descriptor("data: text, or hex:00ff...") String data) {
        return hypervisor.hostWrite(guest, Args.number("gpa", gpa), Args.data("data", data));
    }

    /** @return the page as the host sees it after the conversion */
    @Descriptor("Convert a guest page to shared (plaintext to the host, like a bounce buffer) or back to private")
    public MemoryDump share(
            @Descriptor("make the page private again instead")
            @Parameter(names = {"--private"}, presentValue = "true", absentValue = "false") boolean makePrivate,
            @Descriptor("guest id or name") String guest,
            @Descriptor("page-aligned guest physical address") String gpa) {
        long address = Args.number("gpa", gpa);
        hypervisor.context(guest).share(address, !makePrivate);
        return peek(guest, gpa, "64");
    }

    /** @return the instruction's return code */
    @Descriptor("The guest validates a private page (SNP PVALIDATE, TDX TDG.MEM.PAGE.ACCEPT); 0 is success")
    public String accept(
            @Descriptor("rescind instead of validate")
            @Parameter(names = {"--rescind"}, presentValue = "true", absentValue = "false") boolean rescind,
            @Descriptor("guest id or name") String guest,
            @Descriptor("page-aligned guest physical address") String gpa) {
        long rc = hypervisor.context(guest).accept(Args.number("gpa", gpa), !rescind);
        String meaning = backend(hypervisor.guest(guest).config().teeType()).map(t -> t.returnCodeName("accept", rc))
                .orElse("");
        return (rescind ? "rescinded" : "validated") + " " + gpa + String.format(": return code 0x%X", rc)
                + (meaning.isEmpty() ? "" : " (" + meaning + ")");
    }

    /** @return the TEE's rule for the remap */
    @Descriptor("As a malicious host, swap the host pages behind two guest pages; then read them as the guest")
    public HostAccessOutcome remap(@Descriptor("guest id or name") String guest,
            @Descriptor("page-aligned guest physical address") String first,
            @Descriptor("another page-aligned guest physical address") String second) {
        return hypervisor.hostRemap(guest, Args.number("first", first), Args.number("second", second));
    }

    /** @return the save area as the host sees it */
    @Descriptor("Show a vCPU's save area as the host sees it: the registers where the TEE leaves them readable, "
            + "ciphertext or nothing where it does not")
    public VcpuView vcpu(@Descriptor("guest id or name") String guest,
            @Descriptor("vCPU index") String index) {
        return hypervisor.hostVcpu(guest, Args.intIn("vcpu", index, 0, 63));
    }

    /** The backend of a TEE type, for its names of return codes. */
    private java.util.Optional<io.teebox.api.tee.TeeBackend> backend(String teeType) {
        try {
            for (org.osgi.framework.ServiceReference<io.teebox.api.tee.TeeBackend> ref : context.getServiceReferences(
                    io.teebox.api.tee.TeeBackend.class, "(" + io.teebox.api.tee.TeeType.PROPERTY + "=" + teeType + ")")) {
                return java.util.Optional.ofNullable(context.getService(ref));
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad TEE type '" + teeType + "'", e);
        }
        return java.util.Optional.empty();
    }
}
