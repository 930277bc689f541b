package io.teebox.intel.shell.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.TdxGuest;
import io.teebox.intel.tdx.TdxHost;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands of the TDX backend (scope {@code tdx}): what a TD asks with TDCALL (a TDREPORT, a quote, an RTMR
 * extend, its event log, page acceptance), the module's call log, the emulated Intel PCS and its collateral, and
 * DCAP verification of a quote file. TDs are created and launched with {@code guest:create -t tdx} and
 * {@code guest:launch}.
 */
@Component(service = TdxCommands.class, immediate = true)
@GogoCommand(scope = "tdx", function = {"report", "quote", "extend", "eventlog", "verify", "collateral", "pcs",
    "calls", "accept"})
@Descriptor("Intel TDX: TDREPORT, quotes, RTMRs and the event log of a TD; the emulated Intel PCS; DCAP verification")
public final class TdxCommands {

    private final Hypervisor hypervisor;
    private final IntelPcs pcs;
    private final EvidenceVerifier verifier;

    /**
     * @param hypervisor the hypervisor, through whose guest contexts the TD's calls go
     * @param pcs the emulated Intel PCS
     * @param verifier the TDX quote verifier
     */
    @Activate
    public TdxCommands(@Reference Hypervisor hypervisor, @Reference IntelPcs pcs,
            @Reference(target = "(" + EvidenceVerifier.FORMAT_PROPERTY + "=" + Tdx.EVIDENCE_FORMAT + ")")
            EvidenceVerifier verifier) {
        this.hypervisor = hypervisor;
        this.pcs = pcs;
        this.verifier = verifier;
    }

    private void checkTd(String name) {
        GuestInfo g = hypervisor.guest(name);
        if (!Tdx.TEE_TYPE.equals(g.config().teeType())) {
            throw new IllegalArgumentException("guest " + name + " runs on " + g.config().teeType() + ", not tdx");
        }
    }

    /** The TD's TDCALL interface, through its guest context: refused unless the TD runs. */
    private TdxGuest guest(String td) {
        checkTd(td);
        return hypervisor.context(td).extension(TdxGuest.class).orElseThrow(() -> new IllegalStateException(
                "the tdx backend offers no TDCALL interface for " + td));
    }

    /** The host's SEAMCALLs on the TD: refused unless it is launched and not terminated. */
    private TdxHost host(String td) {
        checkTd(td);
        return hypervisor.hostExtension(td, TdxHost.class).orElseThrow(() -> new IllegalStateException(
                "the tdx backend offers no host interface for " + td));
    }

    /** Hex of a named argument; the error names the argument. */
    private static byte[] hex(String argument, String text) {
        try {
            return Hex.decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " '" + text + "' is not hex: " + e.getMessage(), e);
        }
    }

    /**
     * A 64-bit number of a named argument: decimal, or hex after 0x, read as unsigned (a GPA or a register value
     * is a u64; {@code -1} is taken as signed decimal); the error names the argument.
     */
    private static long number(String argument, String text) {
        String t = text.trim();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            String why = t.matches("-?(0[xX][0-9a-fA-F]+|[0-9]+)") ? "is not a 64-bit number" : "is not a number";
            throw new IllegalArgumentException(argument + " '" + text + "' " + why + " (decimal or 0x hex)", e);
        }
    }

    /** Most bytes a file argument may hold: an evidence file or its collateral, not a disk image. */
    static final long MAX_FILE = 16L << 20;

    /**
     * Reads a file an argument names, at most {@link #MAX_FILE} bytes; a missing, unreadable or oversized file is an
     * error naming the argument.
     */
    private static byte[] read(String argument, String file) {
        Path path;
        try {
            path = Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("cannot read the " + argument + " " + file + ": " + e.getMessage(), e);
        }
        try {
            if (Files.isRegularFile(path) && Files.size(path) > MAX_FILE) {
                throw new IllegalArgumentException("the " + argument + " " + file + " is " + Files.size(path)
                        + " bytes, more than the " + MAX_FILE + " a TDX evidence file may have");
            }
            try (java.io.InputStream in = Files.newInputStream(path)) {
                byte[] b = in.readNBytes((int) MAX_FILE + 1);
                if (b.length > MAX_FILE) {
                    throw new IllegalArgumentException("the " + argument + " " + file + " holds more than the "
                            + MAX_FILE + " bytes a TDX evidence file may have");
                }
                return b;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + argument + " " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), e);
        }
    }

    /** Writes a file an argument names; failure is an error naming the argument. */
    private static void write(String argument, String file, byte[] data) {
        try {
            Files.write(Path.of(file), data);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("cannot write the " + argument + " " + file + ": "
                    + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                            : e.getMessage()), e);
        }
    }

    private static byte[] reportData(String hex) {
        byte[] d = hex.isEmpty() ? new byte[0] : hex("report data (-d)", hex);
        if (d.length > 64) {
            throw new IllegalArgumentException("report data (-d) is " + d.length + " bytes, at most 64");
        }
        return Arrays.copyOf(d, 64);
    }

    /**
     * @return the TDREPORT, field by field
     */
    @Descriptor("TDG.MR.REPORT: the TD's TDREPORT_STRUCT, decoded field by field")
    public String report(
            @Descriptor("REPORTDATA in hex, up to 64 bytes (zero-padded)")
            @Parameter(names = {"-d", "--data"}, absentValue = "") String data,
            @Descriptor("TD (guest id or name)") String td) {
        return TdReport.parse(guest(td).tdReport(reportData(data))).describe().stripTrailing();
    }

    /**
     * @return the quote's fields as the verifier reads them, and where it was written
     */
    @Descriptor("TDG.MR.REPORT and TDG.VP.VMCALL<GetQuote>: a DCAP Quote v4 of the TD, decoded; optionally written "
            + "to a file with its event log beside it (FILE.eventlog)")
    public String quote(
            @Descriptor("REPORTDATA in hex, up to 64 bytes (zero-padded)")
            @Parameter(names = {"-d", "--data"}, absentValue = "") String data,
            @Descriptor("write the quote to this file")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("TD (guest id or name)") String td) {
        TdxGuest g = guest(td);
        byte[] quote = g.getQuote(reportData(data));
        StringBuilder b = new StringBuilder();
        Appraisal v = verifier.verify(new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), Map.of()),
                new VerificationOptions(Clock.systemUTC(), List.of(pcs.rootCaCertificate()), Map.of(), Map.of()));
        b.append(String.format("Quote v4, %d bytes%n", quote.length));
        v.claims().forEach((k, val) -> b.append(String.format("  %-16s %s%n", k, val)));
        if (!out.isEmpty()) {
            write("quote file (-o)", out, quote);
            write("event log file", out + ".eventlog", g.eventLog());
            b.append("wrote ").append(out).append(" and ").append(out).append(".eventlog").append('\n');
        }
        return b.toString().stripTrailing();
    }

    /**
     * @return the register's new value
     */
    @Descriptor("TDG.MR.RTMR.EXTEND from inside the TD: RTMR[index] = SHA-384(RTMR || SHA-384(text)), logged as an "
            + "event")
    public String extend(
            @Descriptor("RTMR index 0..3, default 2")
            @Parameter(names = {"-i", "--index"}, absentValue = "2") String index,
            @Descriptor("extend this 48-byte digest (hex) instead of SHA-384 of the text")
            @Parameter(names = {"--digest"}, absentValue = "") String digest,
            @Descriptor("TD (guest id or name)") String td,
            @Descriptor("what is measured: the event's description") String text) {
        long i = number("RTMR index (-i)", index);
        if (i < 0 || i > 3) {
            // what TDG.MR.RTMR.EXTEND answers for an RDX other than 0..3; checked here, before the index is narrowed
            throw TdxStatus.TDX_OPERAND_INVALID.error("RTMR index (-i) " + index.trim() + " is not 0..3");
        }
        byte[] d = digest.isEmpty() ? Digests.sha384(text.getBytes(StandardCharsets.UTF_8)) : hex("--digest", digest);
        if (d.length != 48) {
            throw new IllegalArgumentException("--digest is " + d.length + " bytes, expected 48 (a SHA-384 digest)");
        }
        byte[] now = guest(td).rtmrExtend((int) i, d, text);
        return "RTMR" + i + " = " + Hex.encode(now);
    }

    /**
     * @return the events and the RTMRs they replay to
     */
    @Descriptor("The TD's event log (CCEL format): its events and the RTMRs they replay to")
    public String eventlog(
            @Descriptor("write the raw log to this file")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("TD (guest id or name)") String td) {
        byte[] raw = guest(td).eventLog();
        List<EventLog.Event> events = EventLog.parse(raw);
        StringBuilder b = new StringBuilder(String.format("%d events, %d bytes%n", events.size(), raw.length));
        for (EventLog.Event e : events) {
            b.append(String.format("  RTMR%d type 0x%X %s  %s%n", e.rtmr(), e.eventType(), Hex.encode(e.digest()),
                    e.text()));
        }
        byte[][] replay = EventLog.replay(events);
        for (int i = 0; i < 4; i++) {
            b.append(String.format("replayed RTMR%d %s%n", i, Hex.encode(replay[i])));
        }
        if (!out.isEmpty()) {
            write("event log (-o)", out, raw);
            b.append("wrote ").append(out).append('\n');
        }
        return b.toString().stripTrailing();
    }

    /**
     * @return the verdict: every failed check with its reason, then the claims
     */
    @Descriptor("Verify a quote file with the DCAP checks against the Intel root, collateral and reference values")
    public String verify(org.apache.felix.service.command.CommandSession session,
            @Descriptor("collateral JSON file (default: fetched from the emulated Intel PCS)")
            @Parameter(names = {"-c", "--collateral"}, absentValue = "") String collateral,
            @Descriptor("trusted root certificate, DER or PEM (default: the emulated Intel root)")
            @Parameter(names = {"-r", "--root"}, absentValue = "") String root,
            @Descriptor("event log file to replay against the RTMRs (default: FILE.eventlog if present)")
            @Parameter(names = {"-e", "--eventlog"}, absentValue = "") String eventLog,
            @Descriptor("reference values, name=hex, comma-separated: mrtd, rtmr0..rtmr3, mrconfigid, mrowner, "
                    + "mrownerconfig, report_data")
            @Parameter(names = {"-x", "--expect"}, absentValue = "") String expect,
            @Descriptor("policy, name=value, comma-separated: allow_debug, min_tee_tcb_svn, allowed_tcb_status "
                    + "(separate several statuses with '+')")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("quote file") String quoteFile) {
        byte[] quote = read("quote file", quoteFile);
        Map<String, byte[]> att = new LinkedHashMap<>();
        if (!collateral.isEmpty()) {
            att.put(Tdx.ATTACHMENT_COLLATERAL, read("collateral file (-c)", collateral));
        }
        String log = eventLog.isEmpty() ? quoteFile + ".eventlog" : eventLog;
        if (!eventLog.isEmpty() || Files.isRegularFile(Path.of(log))) {
            att.put(Tdx.ATTACHMENT_EVENT_LOG, read("event log (-e)", log));
        }
        byte[] rootCert = root.isEmpty() ? pcs.rootCaCertificate() : der(root, read("root certificate (-r)", root));
        Appraisal v = verifier.verify(new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), att),
                new VerificationOptions(Clock.systemUTC(), List.of(rootCert), pairs("-x", expect),
                        pairs("-p", policy)));
        if (!v.accepted()) {
            // the batch modes exit 2 for a rejected verdict (see the shell's batch runner)
            session.put("teebox.rejected", "tdx quote " + quoteFile + ": " + v.failures());
        }
        StringBuilder b = new StringBuilder(v.accepted() ? "ACCEPTED" : "REJECTED (" + v.failures().size()
                + " failed checks)");
        b.append('\n');
        String logSource = !att.containsKey(Tdx.ATTACHMENT_EVENT_LOG) ? null
                : eventLog.isEmpty() ? "the event log " + log + ": " : "the event log (-e) " + log + ": ";
        for (io.teebox.api.appraisal.Check f : v.failures()) {
            // a failure of the event log names the file it came from, so a wrong -e is seen as such
            b.append("  FAILED ").append(f.check()).append(": ")
                    .append("event_log".equals(f.check()) && logSource != null ? logSource : "").append(f.reason())
                    .append('\n');
        }
        v.claims().forEach((k, val) -> b.append(String.format("  %-16s %s%n", k, val)));
        return b.toString().stripTrailing();
    }

    /** The root certificate file as DER: the first certificate of a PEM file, or the DER file itself. */
    private static byte[] der(String file, byte[] content) {
        String text = new String(content, StandardCharsets.US_ASCII);
        try {
            if (text.contains("-----BEGIN CERTIFICATE-----")) {
                List<java.security.cert.X509Certificate> certs = X509Authority.certificatesFromPem(text);
                if (certs.isEmpty()) {
                    throw new IllegalArgumentException("its PEM block holds no certificate");
                }
                return X509Authority.toDer(certs.get(0));
            }
            return X509Authority.toDer(X509Authority.certificateFromDer(content));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("root certificate (-r) " + file + " is neither a PEM nor a DER "
                    + "certificate: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> pairs(String option, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isBlank()) {
            return out;
        }
        for (String p : text.split(",")) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + p + "' in " + option + " '" + text + "' is not name=value");
            }
            out.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim().replace('+', ','));
        }
        return out;
    }

    /**
     * @return where the collateral and root were written
     */
    @Descriptor("Export DCAP collateral (JSON, DCAP-QVL's field names) and the Intel root certificate (FILE.root.der)")
    public String collateral(
            @Descriptor("FMSPC in hex (default: this platform's)")
            @Parameter(names = {"-f", "--fmspc"}, absentValue = "") String fmspc,
            @Descriptor("output file") String out) {
        if (!fmspc.isEmpty() && !fmspc.trim().matches("[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("FMSPC (-f) '" + fmspc + "' is not 6 bytes of hex (12 hex digits)");
        }
        String f = fmspc.isEmpty() ? hypervisor.backends().stream().filter(d -> d.teeType().equals(Tdx.TEE_TYPE))
                .map(d -> d.properties().get("FMSPC")).findFirst().orElseThrow(() -> new IllegalStateException(
                        "no tdx backend is present to name the FMSPC; give --fmspc")) : fmspc.trim();
        write("collateral file", out, pcs.collateral(f).getBytes(StandardCharsets.UTF_8));
        write("root certificate file", out + ".root.der", pcs.rootCaCertificate());
        return "wrote " + out + " (collateral for FMSPC " + f + ") and " + out + ".root.der (Intel SGX Root CA)";
    }

    /** @return the PCS URL and its paths */
    @Descriptor("Show the emulated Intel PCS: its loopback URL and the PCS v4 paths it serves")
    public String pcs() {
        String base = pcs.baseUrl().toString();
        return String.join("\n", "emulated Intel PCS at " + base,
                "  " + base + "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
                "  " + base + "/tdx/certification/v4/tcb?fmspc=<fmspc>",
                "  " + base + "/tdx/certification/v4/qe/identity",
                "  " + base + "/sgx/certification/v4/rootcacrl",
                "root certificate SHA-256 " + Hex.encode(Digests.sha256(pcs.rootCaCertificate())));
    }

    /** @return the TD's SEAMCALLs and TDCALLs */
    @Descriptor("Every SEAMCALL and TDCALL of a TD with its completion status")
    public List<LaunchLogEntry> calls(@Descriptor("TD (guest id or name)") String td) {
        return host(td).calls();
    }

    /** @return the completion status */
    @Descriptor("TDG.MEM.PAGE.ACCEPT from inside the TD (the host adds the page first if needed)")
    public String accept(@Descriptor("TD (guest id or name)") String td,
            @Descriptor("guest physical address, 4 KiB aligned (0x...)") String gpa) {
        return guest(td).acceptPage(number("gpa", gpa)).status().toString();
    }
}
