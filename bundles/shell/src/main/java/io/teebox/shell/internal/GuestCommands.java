package io.teebox.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.hex.Hex;

/** Guest lifecycle: create, launch with the guest owner, list, inspect, pause, resume, destroy; logs and evidence. */
@Component(service = GuestCommands.class, immediate = true)
@GogoCommand(scope = "guest", function = {"create", "launch", "list", "info", "pause", "resume", "destroy", "log",
    "measurement", "status", "attest"})
@Descriptor("Confidential guests: lifecycle, launch, launch log, measurement and evidence")
public final class GuestCommands {

    /**
     * The policy a launch uses when none is given: what a production guest of each TEE type would run with (no
     * debugging; SEV-ES needs its ES bit, SNP its must-be-one bit 17, TDX TDs disable #VE on EPT violations).
     */

    private final Hypervisor hypervisor;
    private final BundleContext context;
    private final Progress progress = new Progress();
    private final Awaited<GuestOwnerService> owners = new Awaited<>(GuestOwnerService.class, "guest owner",
            "tee.type");
    private final Awaited<EvidenceVerifier> verifiers = new Awaited<>(EvidenceVerifier.class, "verifier",
            "evidence format");

    /**
     * @param hypervisor the hypervisor
     * @param context this bundle's context, to name the bundles a missing service could come from
     */
    @Activate
    public GuestCommands(@Reference Hypervisor hypervisor, BundleContext context) {
        this.hypervisor = hypervisor;
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindOwner(GuestOwnerService owner, Map<String, Object> props) {
        Object type = props.get(TeeType.PROPERTY);
        if (type instanceof String t) {
            owners.put(t, owner);
        }
    }

    void unbindOwner(GuestOwnerService owner, Map<String, Object> props) {
        Object type = props.get(TeeType.PROPERTY);
        if (type instanceof String t) {
            owners.remove(t, owner);
        }
    }

    /** @return the first CPU backend's type, waiting a moment for one right after the platform starts */
    private String firstCpuBackend() {
        long deadline = System.nanoTime() + Awaited.GRACE_MS * 1_000_000;
        while (true) {
            java.util.Optional<String> t = hypervisor.backends().stream()
                    .filter(d -> d.kind() == io.teebox.api.tee.TeeKind.CPU).map(BackendDescriptor::teeType)
                    .findFirst();
            if (t.isPresent()) {
                return t.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no CPU TEE backend is present after " + Awaited.GRACE_MS / 1000
                        + " s; see tee:backends");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a CPU TEE backend", e);
            }
        }
    }

    /**
     * @return the new guest
     */
    @Descriptor("Create a guest (memory and vCPUs; nothing launched yet)")
    public GuestInfo create(
            @Descriptor("TEE backend type (tee.type), default the first CPU backend present (see tee:backends)")
            @Parameter(names = {"-t", "--tee"}, absentValue = "") String tee,
            @Descriptor("number of vCPUs, 1..64, default 1")
            @Parameter(names = {"-c", "--vcpus"}, absentValue = "1") String vcpus,
            @Descriptor("vCPU model in QEMU's spelling; default the backend's (tee:backend TYPE lists its models)")
            @Parameter(names = {"--cpu"}, absentValue = "") String cpu,
            @Descriptor("guest RAM, for example 64M or 1G; default 64M")
            @Parameter(names = {"-m", "--memory"}, absentValue = "64M") String memory,
            @Descriptor("guest name") String name) {
        String type = Args.opt(tee) != null ? tee : firstCpuBackend();
        BackendDescriptor backend = TeeCommands.descriptor(hypervisor, type).orElse(null);
        String model = Args.opt(cpu) != null ? cpu : backend != null ? backend.defaults().vcpuModel() : "";
        return hypervisor.create(new GuestConfig(name, type,
                Args.intIn("vcpus", vcpus, 1, GuestConfig.MAX_VCPUS), model, Args.size("memory", memory)));
    }

    /**
     * @return the launch result: measurement, secrets injected and the firmware commands
     */
    @Descriptor("Launch a created guest: the guest owner prepares the session, the firmware measures, the owner "
            + "checks the measurement and releases its secret")
    public LaunchResult launch(
            @Descriptor("launch policy word: the policy or TD ATTRIBUTES of the guest's TEE (default the backend's; "
                    + "tee:backend TYPE shows it)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("firmware image (default: the TEE's built-in firmware)")
            @Parameter(names = {"-f", "--firmware"}, absentValue = "") String firmware,
            @Descriptor("kernel for direct boot; its hashes table is measured")
            @Parameter(names = {"-k", "--kernel"}, absentValue = "") String kernel,
            @Descriptor("initrd for direct boot")
            @Parameter(names = {"-i", "--initrd"}, absentValue = "") String initrd,
            @Descriptor("kernel command line")
            @Parameter(names = {"--cmdline"}, absentValue = "") String cmdline,
            @Descriptor("secret the owner injects after a matching measurement (text, or hex:...)")
            @Parameter(names = {"-s", "--secret"}, absentValue = "") String secret,
            @Descriptor("guest physical address for the secret (default: the firmware's launch-secret area)")
            @Parameter(names = {"--secret-gpa"}, absentValue = "") String secretGpa,
            @Descriptor("launch digest the owner expects, hex (default: computed from the firmware and kernel)")
            @Parameter(names = {"-e", "--expect"}, absentValue = "") String expect,
            @Descriptor("SEV-SNP: the owner signs an ID block carrying the expected digest; SNP_LAUNCH_FINISH refuses "
                    + "any other launch and reports carry the ID and author key digests (default: no ID block)")
            @Parameter(names = {"--id-block"}, presentValue = "true", absentValue = "false") boolean idBlock,
            @Descriptor("guest id or name") String guest) {
        GuestInfo g = hypervisor.guest(guest);
        GuestOwnerService owner = owners.await(g.config().teeType(), context);
        byte[] fw = Args.file("firmware", Args.opt(firmware));
        byte[] k = Args.file("kernel", Args.opt(kernel));
        byte[] rd = Args.file("initrd", Args.opt(initrd));
        String cl = Args.opt(cmdline);
        long p = Args.opt(policy) == null ? TeeCommands.descriptor(hypervisor, g.config().teeType())
                .map(d -> d.defaults().policy()).orElse(0L) : Args.number("policy", policy);
        OwnerPolicy op = new OwnerPolicy(p, fw, k, rd, cl,
                Args.opt(expect) == null ? null : Args.hex("expect", expect),
                Args.opt(secret) == null ? null : Args.data("secret", secret),
                Args.opt(secretGpa) == null ? -1 : Args.address("secret-gpa", secretGpa), idBlock);
        String tee = g.config().teeType();
        return progress.run("launch " + g.config().name(), "the guest owner prepares the launch", step -> {
            LaunchOwner prepared = owner.prepare(op);
            step.set("the hypervisor asks the " + tee + " firmware for the platform's certificates");
            return hypervisor.launch(g.id(), new LaunchPlan(fw, k, rd, cl), new LaunchOwner() {
                @Override
                public LaunchRequest start(BackendDescriptor b, Map<String, byte[]> certificates, GuestConfig c) {
                    step.set("the guest owner checks the platform and starts the launch session");
                    LaunchRequest request = prepared.start(b, certificates, c);
                    step.set("the " + tee + " firmware launches the guest and measures its image");
                    return request;
                }

                @Override
                public List<SecretPacket> approve(Measurement m) {
                    step.set("the guest owner checks the launch measurement");
                    List<SecretPacket> secrets = prepared.approve(m);
                    step.set(secrets.isEmpty() ? "the firmware finishes the launch"
                            : "the firmware injects the owner's secret and finishes the launch");
                    return secrets;
                }
            });
        });
    }

    /** @return all guests */
    @Descriptor("List guests: id, name, TEE, state, vCPUs, memory, key slot, note")
    public List<GuestInfo> list() {
        return hypervisor.guests();
    }

    /** @return one guest in full */
    @Descriptor("Show a guest in full")
    public GuestInfo info(@Descriptor("guest id or name") String guest) {
        return hypervisor.guest(guest);
    }

    /** @return the guest after pausing */
    @Descriptor("Pause a running guest; its encrypted state is kept")
    public GuestInfo pause(@Descriptor("guest id or name") String guest) {
        hypervisor.pause(guest);
        return hypervisor.guest(guest);
    }

    /** @return the guest after resuming */
    @Descriptor("Resume a paused guest (its backend must be present)")
    public GuestInfo resume(@Descriptor("guest id or name") String guest) {
        hypervisor.resume(guest);
        return hypervisor.guest(guest);
    }

    /** @return a confirmation */
    @Descriptor("Destroy a guest: decommission its firmware context and free its memory")
    public String destroy(@Descriptor("guest id or name") String guest) {
        GuestInfo g = hypervisor.guest(guest);
        hypervisor.destroy(guest);
        return "destroyed " + g.id() + " (" + g.config().name() + ")";
    }

    /** @return the launch log */
    @Descriptor("Show a guest's launch log: the vendor's firmware commands with their status codes")
    public List<LaunchLogEntry> log(@Descriptor("guest id or name") String guest) {
        return hypervisor.launchLog(guest);
    }

    /** @return the measurement */
    @Descriptor("Show a guest's launch measurement as the firmware returned it")
    public Measurement measurement(@Descriptor("guest id or name") String guest) {
        return hypervisor.measurement(guest).orElseThrow(() -> new IllegalStateException(
                "guest " + guest + " has not been measured (launch it first)"));
    }

    /** @return the firmware's view of the guest */
    @Descriptor("Show the firmware's guest context (SEV GUEST_STATUS)")
    public GuestStatus status(@Descriptor("guest id or name") String guest) {
        return hypervisor.firmwareStatus(guest);
    }

    /** @return the evidence, decoded field by field */
    @Descriptor("Ask the guest's TEE for signed evidence binding the given report data; show it decoded and "
            + "optionally export it")
    public EvidenceView attest(
            @Descriptor("write the raw evidence to this file and its certificate chain (PEM) to FILE.certs.pem")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("report data in hex (SNP: up to 64 bytes)") String reportData,
            @Descriptor("guest id or name") String guest) throws java.io.IOException {
        io.teebox.api.tee.Bytes data = io.teebox.api.tee.Bytes.of(Args.hex("report data", reportData));
        GuestInfo g = hypervisor.guest(guest);
        Evidence e = progress.run("attest " + g.config().name(), "the guest asks the " + g.config().teeType()
                + " firmware for signed evidence", step -> hypervisor.context(guest).evidence(data));
        String written = Args.opt(out) == null ? null : Evidences.export(e, java.nio.file.Path.of(out));
        EvidenceVerifier v = verifiers.now(e.format());
        Map<String, String> claims = v == null ? Map.of()
                : v.verify(e, VerificationOptions.trusting(java.util.List.of())).claimTexts();
        return new EvidenceView(e, claims, written);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindVerifier(EvidenceVerifier verifier) {
        verifiers.put(verifier.format(), verifier);
    }

    void unbindVerifier(EvidenceVerifier verifier) {
        verifiers.remove(verifier.format(), verifier);
    }
}
