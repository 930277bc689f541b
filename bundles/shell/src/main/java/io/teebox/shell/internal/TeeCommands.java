package io.teebox.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.kit.hex.Hex;

/** Commands about the platform: which TEE backends are present, and what a firmware image carries. */
@Component(service = TeeCommands.class, immediate = true)
@GogoCommand(scope = "tee", function = {"backends", "backend", "firmware", "offline", "online", "verify", "certificates",
    "ready"})
@Descriptor("TEE platform: backends present and firmware images")
public final class TeeCommands {

    private final Hypervisor hypervisor;
    private final BundleContext context;
    private final org.osgi.service.component.runtime.ServiceComponentRuntime scr;
    private final Map<String, Long> stopped = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, io.teebox.spi.loader.GuestImageLoader> loaders =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Awaited<io.teebox.api.attestation.EvidenceVerifier> verifiers = new Awaited<>(
            io.teebox.api.attestation.EvidenceVerifier.class, "verifier", "evidence format");

    /**
     * @param hypervisor the hypervisor that binds the backends
     * @param context this bundle's context
     * @param scr the DS runtime, for {@link #ready}
     */
    @Activate
    public TeeCommands(@Reference Hypervisor hypervisor, BundleContext context,
            @Reference org.osgi.service.component.runtime.ServiceComponentRuntime scr) {
        this.hypervisor = hypervisor;
        this.context = context;
        this.scr = scr;
    }

    /** @return the descriptor of the backend of that tee.type the hypervisor has now, if any */
    static java.util.Optional<BackendDescriptor> descriptor(Hypervisor hypervisor, String type) {
        return hypervisor.backends().stream().filter(d -> d.teeType().equals(type)).findFirst();
    }

    /**
     * @param type a backend type
     * @return what was stopped
     * @throws BundleException if the bundle cannot stop
     */
    @Descriptor("Stop the bundle of a TEE backend (a firmware update in progress): its guests pause, state kept")
    public String offline(@Descriptor("the backend's tee.type, for example sev") String type) throws BundleException {
        ServiceReference<?>[] refs;
        try {
            refs = context.getServiceReferences(TeeBackend.class.getName(), "(" + TeeType.PROPERTY + "="
                    + type.replaceAll("[()*\\\\]", "") + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad backend type '" + type + "'", e);
        }
        if (refs == null || refs.length == 0) {
            throw new IllegalArgumentException("no backend '" + type + "' is present; present: "
                    + hypervisor.backends().stream().map(BackendDescriptor::teeType).toList());
        }
        Bundle b = refs[0].getBundle();
        b.stop();
        stopped.put(type, b.getBundleId());
        return "stopped " + b.getSymbolicName() + " " + b.getVersion() + "; guests on " + type + " are paused";
    }

    /**
     * @param type a backend type stopped with {@link #offline(String)}
     * @return what was started
     * @throws BundleException if the bundle cannot start
     */
    @Descriptor("Start the bundle of a TEE backend taken offline with tee:offline; its paused guests resume")
    public String online(@Descriptor("the backend's tee.type, for example sev") String type)
            throws BundleException, InterruptedException {
        Long id = stopped.get(type);
        Bundle b = id == null ? null : context.getBundle(id);
        if (b == null) {
            throw new IllegalArgumentException("backend '" + type + "' was not taken offline with tee:offline; stopped: "
                    + stopped.keySet());
        }
        b.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (hypervisor.backends().stream().noneMatch(d -> d.teeType().equals(type))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("bundle " + b.getSymbolicName() + " started but registered no "
                        + type + " backend within 10 s (see scr:list)");
            }
            Thread.sleep(20);
        }
        stopped.remove(type);
        return "started " + b.getSymbolicName() + " " + b.getVersion() + "; backend " + type + " is present again";
    }

    /** @return the backends present now, one line each */
    @Descriptor("List the TEE backends present now, with firmware, key slots and capabilities")
    public List<BackendDescriptor> backends() {
        return hypervisor.backends();
    }

    /**
     * @param type the backend's tee.type
     * @return its descriptor in full
     */
    @Descriptor("Show one TEE backend in full")
    public BackendDescriptor backend(@Descriptor("the backend's tee.type, for example sev") String type) {
        return descriptor(hypervisor, type)
                .orElseThrow(() -> new IllegalArgumentException("no backend '" + type + "' is present; present: "
                        + hypervisor.backends().stream().map(BackendDescriptor::teeType).toList()));
    }

    /**
     * @return the verdict
     */
    @Descriptor("Verify an exported evidence file against trusted roots and reference values")
    public io.teebox.api.appraisal.Appraisal verify(org.apache.felix.service.command.CommandSession session,
            @Descriptor("trusted root certificate file (PEM or DER), e.g. the ARK")
            @Parameter(names = {"-r", "--root"}, absentValue = "") String root,
            @Descriptor("expected launch measurement, hex")
            @Parameter(names = {"-m", "--measurement"}, absentValue = "") String measurement,
            @Descriptor("expected report data, hex")
            @Parameter(names = {"-d", "--report-data"}, absentValue = "") String reportData,
            @Descriptor("the evidence's certificate chain, PEM (default: FILE.certs.pem if it exists)")
            @Parameter(names = {"-c", "--chain"}, absentValue = "") String chainFile,
            @Descriptor("evidence format, e.g. sev-snp-report") String format,
            @Descriptor("the raw evidence file") String file) {
        io.teebox.api.attestation.EvidenceVerifier v = verifiers.await(format, context);
        byte[] report = Args.file("evidence", file);
        if (Args.opt(chainFile) != null && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(chainFile))) {
            throw new IllegalArgumentException("--chain: " + chainFile + " does not exist");
        }
        java.util.List<byte[]> chain = Evidences.certificates(java.nio.file.Path.of(Args.opt(chainFile) != null
                ? chainFile : file + ".certs.pem"));
        java.util.List<byte[]> roots = Args.opt(root) == null ? java.util.List.of()
                : Evidences.certificates(java.nio.file.Path.of(root));
        Map<String, String> refs = new java.util.LinkedHashMap<>();
        if (Args.opt(measurement) != null) {
            refs.put("measurement", measurement);
        }
        if (Args.opt(reportData) != null) {
            refs.put("report_data", reportData);
        }
        io.teebox.api.appraisal.Appraisal verdict = v.verify(new io.teebox.api.attestation.Evidence(format, report,
                chain, Map.of()), new io.teebox.api.attestation.VerificationOptions(java.time.Clock.systemUTC(), roots,
                        refs, Map.of()));
        if (!verdict.accepted()) {
            session.put(BatchRunner.REJECTED, format + " " + file + ": " + verdict.failures());
        }
        return verdict;
    }

    /**
     * @return what is still starting, or that the platform is ready
     * @throws InterruptedException if interrupted
     */
    @Descriptor("Wait until every bundle and DS component of the platform is up (backends and their commands), at "
            + "most the given time")
    public String ready(
            @Descriptor("how long to wait at most, in seconds")
            @Parameter(names = {"-t", "--timeout"}, absentValue = "30") String seconds) throws InterruptedException {
        long s = Args.intIn("timeout", seconds, 0, 3600);
        java.util.List<String> pending = Readiness.await(context, scr, false, s * 1000);
        if (!pending.isEmpty()) {
            throw new IllegalStateException("not ready after " + s + " s: " + String.join("; ", pending));
        }
        return "ready";
    }

    /**
     * @return the files written
     * @throws java.io.IOException if a file cannot be written
     */
    @Descriptor("Export a backend's platform certificates into a directory (created if missing), named as snpguest "
            + "and sevctl write them: SEV pdh, pek, oca, cek (.cert, SEV format); SNP ark, ask, vcek or vlek")
    public java.util.List<String> certificates(
            @Descriptor("directory to write into, default the working directory")
            @Parameter(names = {"-o", "--out"}, absentValue = ".") String dir,
            @Descriptor("X.509 certificates as PEM (.pem)")
            @Parameter(names = {"--pem"}, presentValue = "true", absentValue = "false") boolean pem,
            @Descriptor("X.509 certificates as DER (.der), the default")
            @Parameter(names = {"--der"}, presentValue = "true", absentValue = "false") boolean der,
            @Descriptor("the backend's tee.type") String type) throws java.io.IOException, InvalidSyntaxException {
        if (pem && der) {
            throw new IllegalArgumentException("--pem and --der exclude each other");
        }
        TeeBackend b = null;
        for (ServiceReference<TeeBackend> ref : context.getServiceReferences(TeeBackend.class, null)) {
            if (type.equals(ref.getProperty(TeeType.PROPERTY))) {
                b = context.getService(ref);
            }
        }
        if (b == null) {
            throw new IllegalArgumentException("no backend '" + type + "' is present");
        }
        java.nio.file.Path out = Args.outputDirectory("out", dir);
        java.util.List<String> written = new java.util.ArrayList<>();
        for (Map.Entry<String, byte[]> e : b.platformCertificates().entrySet()) {
            byte[] bytes = e.getValue();
            String ext = ".cert";
            if (bytes.length > 0 && bytes[0] == 0x30) {
                ext = pem ? ".pem" : ".der";
                if (pem) {
                    bytes = io.teebox.kit.x509.X509Authority.toPem(io.teebox.kit.x509.X509Authority
                            .certificateFromDer(bytes)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
            }
            java.nio.file.Path p = out.resolve(e.getKey() + ext);
            Args.write("out", p, bytes);
            written.add(p + " (" + bytes.length + " bytes)");
        }
        return written;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindVerifier(io.teebox.api.attestation.EvidenceVerifier verifier) {
        verifiers.put(verifier.format(), verifier);
    }

    void unbindVerifier(io.teebox.api.attestation.EvidenceVerifier verifier) {
        verifiers.remove(verifier.format(), verifier);
    }

    /**
     * @param option an image given with -f
     * @param positional an image given as the argument
     * @return what the image carries, as each backend's image loader reads it
     */
    @Descriptor("Parse a firmware image and show what it carries, as each backend's image loader reads it")
    public String firmware(
            @Descriptor("path to a firmware image (default: the built-in firmware)")
            @Parameter(names = {"-f", "--file"}, absentValue = "") String option,
            @Descriptor("path to a firmware image, instead of -f") String... positional) {
        if (positional.length > 1 || (positional.length == 1 && Args.opt(option) != null)) {
            throw new IllegalArgumentException("tee:firmware takes one image: give it as -f FILE or as FILE");
        }
        String path = positional.length == 1 ? positional[0] : option;
        byte[] bytes = Args.opt(path) == null ? null : Args.file("firmware", path);
        if (loaders.isEmpty()) {
            throw new IllegalStateException("no backend with an image loader is present; see tee:backends");
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("image", Args.opt(path) == null ? "built-in default" : path);
        for (Map.Entry<String, io.teebox.spi.loader.GuestImageLoader> e : new java.util.TreeMap<>(loaders).entrySet()) {
            try {
                e.getValue().describe(bytes).forEach(out::putIfAbsent);
            } catch (IllegalArgumentException ex) {
                out.put(e.getKey(), "cannot load it: " + ex.getMessage());
            }
        }
        StringBuilder b = new StringBuilder();
        out.forEach((k, v) -> b.append(String.format("%-50s %s%n", k, v)));
        return b.toString().stripTrailing();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoader(io.teebox.spi.loader.GuestImageLoader loader, Map<String, Object> props) {
        loaders.put(String.valueOf(props.get(TeeType.PROPERTY)), loader);
    }

    void unbindLoader(io.teebox.spi.loader.GuestImageLoader loader, Map<String, Object> props) {
        loaders.remove(String.valueOf(props.get(TeeType.PROPERTY)), loader);
    }
}
