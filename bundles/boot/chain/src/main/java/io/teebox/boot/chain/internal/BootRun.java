package io.teebox.boot.chain.internal;

import io.teebox.boot.chain.BootFiles;
import io.teebox.boot.chain.BootResult;
import io.teebox.boot.chain.Measurement;
import io.teebox.boot.chain.PcrSink;
import io.teebox.boot.chain.Stage;
import io.teebox.boot.eventlog.EfiActions;
import io.teebox.boot.eventlog.EventLogBuilder;
import io.teebox.boot.eventlog.EventType;
import io.teebox.boot.eventlog.GrubMeasurements;
import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.eventlog.Measured;
import io.teebox.boot.eventlog.UefiGptData;
import io.teebox.boot.eventlog.UefiImageLoadEvent;
import io.teebox.boot.eventlog.UefiVariableData;
import io.teebox.boot.uefi.Authenticode;
import io.teebox.boot.uefi.EfiGuids;
import io.teebox.boot.uefi.EfiSignatureData;
import io.teebox.boot.uefi.EfiSignatureList;
import io.teebox.boot.uefi.PeImage;
import io.teebox.boot.uefi.PeSection;
import io.teebox.boot.uefi.SecureBootPolicy;
import io.teebox.boot.uefi.SecureBootVariables;
import io.teebox.boot.uefi.SignatureDatabase;
import io.teebox.boot.uefi.Verdict;
import io.teebox.disk.image.CpioEntry;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.firmware.EfiGuid;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** One boot: the stages in order, each extend going to the sink, the log and the stage's list at once. */
public final class BootRun {

    /** SHIM_LOCK_GUID, the vendor GUID of shim's variables. */
    public static final UUID SHIM_LOCK = UUID.fromString("605dab50-e046-4300-abb6-3dd810dd8b23");
    /** The SbatLevel shim 15.8 applies and measures (its SBAT_VAR_LATEST). */
    public static final String SBAT_LEVEL = "sbat,1,2024010900\nshim,4\ngrub,3\ngrub.debian,4\n";
    /** The firmware version edk2 logs as EV_S_CRTM_VERSION (PcdFirmwareVersionString). */
    public static final String FIRMWARE_VERSION = "teebox UEFI 1.0";
    private static final List<HashAlgorithm> BANKS = List.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384);
    private static final long FIRMWARE_TOP = 0x1_0000_0000L;

    private final byte[] firmware;
    private final SecureBootVariables vars;
    private final Map<String, CpioEntry> files = new LinkedHashMap<>();
    private final UefiGptData gpt;
    private final PcrSink tpm;
    private final EventLogBuilder log = EventLogBuilder.forBanks(HashAlgorithm.SHA256, HashAlgorithm.SHA384);
    private final List<StageBuilder> stages = new ArrayList<>();
    private final Set<String> authorities = new HashSet<>();
    private StageBuilder current;

    private static final class StageBuilder {
        final String name;
        final String file;
        String verdict;
        final List<Measurement> measurements = new ArrayList<>();

        StageBuilder(String name, String file, String verdict) {
            this.name = name;
            this.file = file;
            this.verdict = verdict;
        }

        Stage build() {
            return new Stage(name, file, verdict, measurements);
        }
    }

    /** A refusal, carried out of the stage that made it. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String line) {
            super(line, null, false, false);
        }
    }

    /** What shim or firmware decided about an image. */
    private record Decision(String verdict, UefiVariableData authority) {
    }

    /**
     * Prepares a boot.
     *
     * @param firmware the firmware volume
     * @param vars the Secure Boot variables
     * @param bootFiles the boot partition
     * @param gpt the GPT or null
     * @param tpm the sink
     */
    public BootRun(byte[] firmware, SecureBootVariables vars, List<CpioEntry> bootFiles, UefiGptData gpt,
            PcrSink tpm) {
        this.firmware = firmware;
        this.vars = vars;
        for (CpioEntry e : bootFiles) {
            if (e.isFile()) {
                files.put(e.name().startsWith("/") ? e.name().substring(1) : e.name(), e);
            }
        }
        this.gpt = gpt;
        this.tpm = tpm;
    }

    /**
     * Runs the boot.
     *
     * @return the result
     */
    public BootResult run() {
        try {
            firmwareStage();
            byte[] shim = shimStage();
            GrubConfig cfg = grubStage(shim);
            byte[] kernel = kernelStage(shim, cfg);
            byte[] initramfs = initramfsStage(cfg);
            stage(kernelStageBuilder);
            measureString(GrubMeasurements.COMMAND_PREFIX, "boot");
            measureImage(4, kernel, BootFiles.KERNEL, new UefiImageLoadEvent(0, 0, 0, new byte[0]).write());
            stage(initramfsStageBuilder);
            if (initramfs != null) {
                measure(9, EventType.EV_EVENT_TAG, new TaggedEvent(TaggedEvent.LINUX_INITRD, nul("Linux initrd"))
                        .write(), digests(initramfs), "Linux EFI stub: initrd loaded through LoadFile2");
            }
            stage(kernelStageBuilder);
            log.efiAction(5, EfiActions.EXIT_BOOT_SERVICES_INVOCATION);
            record(5, EventType.EV_EFI_ACTION, EfiActions.EXIT_BOOT_SERVICES_INVOCATION);
            log.efiAction(5, EfiActions.EXIT_BOOT_SERVICES_SUCCEEDED);
            record(5, EventType.EV_EFI_ACTION, EfiActions.EXIT_BOOT_SERVICES_SUCCEEDED);
            return new BootResult(true, null, built(), log.build().write(), kernel, initramfs == null ? new byte[0]
                    : initramfs, "BOOT_IMAGE=" + cfg.linuxPath + (cfg.args.isEmpty() ? "" : " " + cfg.args));
        } catch (Refused r) {
            current.verdict = r.getMessage().substring(r.getMessage().indexOf(": ") + 2);
            return new BootResult(false, r.getMessage(), built(), log.build().write(), null, null, null);
        }
    }

    private StageBuilder kernelStageBuilder;
    private StageBuilder initramfsStageBuilder;

    private List<Stage> built() {
        return stages.stream().map(StageBuilder::build).toList();
    }

    private StageBuilder newStage(String name, String file, String verdict) {
        StageBuilder s = new StageBuilder(name, file, verdict);
        stages.add(s);
        current = s;
        return s;
    }

    private void stage(StageBuilder s) {
        current = s;
    }

    // --- measuring

    private static Map<HashAlgorithm, byte[]> digests(byte[] data) {
        Map<HashAlgorithm, byte[]> m = new EnumMap<>(HashAlgorithm.class);
        for (HashAlgorithm a : BANKS) {
            m.put(a, a.digest(data));
        }
        return m;
    }

    private void measure(int pcr, EventType type, byte[] eventData, Map<HashAlgorithm, byte[]> digests,
            String description) {
        log.extend(pcr, type, eventData, Measured.digests(digests));
        tpm.extend(pcr, digests);
        current.measurements.add(new Measurement(pcr, type.name(), digests, description));
    }

    /** Records an extend the builder already logged (separators, actions), sending it to the sink. */
    private void record(int pcr, EventType type, String description) {
        var events = log.build().events();
        var last = events.get(events.size() - 1);
        Map<HashAlgorithm, byte[]> d = new EnumMap<>(HashAlgorithm.class);
        for (HashAlgorithm a : BANKS) {
            d.put(a, last.digest(a).orElseThrow());
        }
        tpm.extend(pcr, d);
        current.measurements.add(new Measurement(pcr, type.name(), d, description));
    }

    private void separator(int pcr) {
        log.separator(pcr);
        record(pcr, EventType.EV_SEPARATOR, "separator");
    }

    private void measureImage(int pcr, byte[] image, String file, byte[] loadEvent) {
        PeImage pe = PeImage.parse(image);
        Map<HashAlgorithm, byte[]> d = new EnumMap<>(HashAlgorithm.class);
        d.put(HashAlgorithm.SHA256, Authenticode.hash(pe, "SHA-256"));
        d.put(HashAlgorithm.SHA384, Authenticode.hash(pe, "SHA-384"));
        measure(pcr, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, loadEvent, d, "Authenticode hash of " + file);
    }

    private void measureAuthority(UefiVariableData authority) {
        byte[] event = authority.write();
        // edk2 and shim each log an authority once (shim's tpm_data_measured); the same bytes twice would be
        // the same verdict again
        if (authorities.add(Hex.encode(event))) {
            measure(7, EventType.EV_EFI_VARIABLE_AUTHORITY, event, digests(event), "authority "
                    + authority.unicodeName() + " that verified the image");
        }
    }

    private void measureString(String prefix, String s) {
        measure(GrubMeasurements.STRING_PCR, EventType.EV_IPL, nul(prefix + s),
                digests(s.getBytes(StandardCharsets.UTF_8)), prefix + s);
    }

    private void measureFile(String path, byte[] contents) {
        measure(GrubMeasurements.BINARY_PCR, EventType.EV_IPL, nul(path), digests(contents), "GRUB read " + path);
    }

    private static byte[] nul(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    private static byte[] utf16z(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    }

    // --- stages

    private void firmwareStage() {
        newStage("firmware", "", "platform firmware: the root of trust, measured, not verified");
        measure(0, EventType.EV_S_CRTM_VERSION, utf16z(FIRMWARE_VERSION), digests(utf16z(FIRMWARE_VERSION)),
                "S-CRTM version " + FIRMWARE_VERSION);
        UUID fv = UUID.nameUUIDFromBytes(HashAlgorithm.SHA256.digest(firmware));
        measure(0, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2, new PlatformFirmwareBlob2("Fv(" + fv + ")",
                FIRMWARE_TOP - firmware.length, firmware.length).write(), digests(firmware),
                "firmware volume of " + firmware.length + " bytes");
        for (String name : SecureBootVariables.PCR7_ORDER) {
            byte[] event = vars.uefiVariableData(name);
            measure(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, event, digests(event), "Secure Boot variable "
                    + name);
        }
        separator(7);
        byte[] bootOrder = {0, 0};
        byte[] option = loadOption("UEFI teebox disk", devicePath("\\" + BootFiles.SHIM.replace('/', '\\')));
        // edk2 digests a boot variable's data alone, not the UEFI_VARIABLE_DATA around it
        measure(1, EventType.EV_EFI_VARIABLE_BOOT, new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE,
                "BootOrder", bootOrder).write(), digests(bootOrder), "BootOrder 0000");
        measure(1, EventType.EV_EFI_VARIABLE_BOOT, new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE,
                "Boot0000", option).write(), digests(option), "Boot0000 " + BootFiles.SHIM);
        log.efiAction(4, EfiActions.CALLING_EFI_APPLICATION);
        record(4, EventType.EV_EFI_ACTION, EfiActions.CALLING_EFI_APPLICATION);
        for (int pcr = 0; pcr < 7; pcr++) {
            separator(pcr);
        }
        if (gpt != null) {
            byte[] event = gpt.write();
            measure(5, EventType.EV_EFI_GPT_EVENT, event, digests(event), "GPT of the boot disk, "
                    + gpt.partitions().size() + " partitions");
        }
    }

    private byte[] file(String stage, String path) throws Refused {
        CpioEntry e = files.get(path);
        if (e == null) {
            throw new Refused(stage + " " + path + ": not found on the boot partition");
        }
        return e.data();
    }

    private static PeImage pe(String stage, String path, byte[] image) throws Refused {
        try {
            return PeImage.parse(image);
        } catch (MalformedStructureException e) {
            throw new Refused(stage + " " + path + ": not a PE32+ image: " + e.getMessage());
        }
    }

    private byte[] shimStage() throws Refused {
        newStage("shim", BootFiles.SHIM, "");
        byte[] shim = file("shim", BootFiles.SHIM);
        pe("shim", BootFiles.SHIM, shim);
        // edk2 runs the measurement handler before image verification, so a refused image is in PCR 4 too
        measureImage(4, shim, BootFiles.SHIM, new UefiImageLoadEvent(0x7E1A4018L, PeImage.parse(shim).size(), 0,
                devicePath("\\" + BootFiles.SHIM.replace('/', '\\'))).write());
        Verdict v = new SecureBootPolicy(vars).evaluate(BootFiles.SHIM, shim);
        if (!v.allowed()) {
            throw new Refused("shim " + BootFiles.SHIM + ": " + reason(v, "db"));
        }
        if (vars.secureBoot()) {
            measureAuthority(dbAuthority(v, Authenticode.sha256(shim)));
            current.verdict = signedBy(v, shim, "db");
        } else {
            current.verdict = "Secure Boot off: not checked";
        }
        byte[] sbat = SBAT_LEVEL.getBytes(StandardCharsets.US_ASCII);
        measureAuthority(new UefiVariableData(SHIM_LOCK, "SbatLevel", sbat));
        byte[] mokList = EfiSignatureList.x509(SHIM_LOCK, vendorCert(shim)).toBytes();
        measure(14, EventType.EV_IPL, nul("MokList"), digests(mokList), "MokList (shim's vendor certificate)");
        return shim;
    }

    private static byte[] vendorCert(byte[] shim) throws Refused {
        PeImage pe = PeImage.parse(shim);
        for (PeSection s : pe.sections()) {
            if (pe.longName(s).equals(VendorCertTable.SECTION)) {
                try {
                    return VendorCertTable.parse(pe.sectionData(s)).vendorAuthorized();
                } catch (MalformedStructureException e) {
                    throw new Refused("shim " + BootFiles.SHIM + ": " + e.getMessage());
                }
            }
        }
        throw new Refused("shim " + BootFiles.SHIM + ": has no " + VendorCertTable.SECTION + " section");
    }

    /** shim's verification: dbx, then db, then its vendor certificate (shim.c verify_buffer's order). */
    private Decision shimVerify(String stage, String path, byte[] shim, byte[] image) throws Refused {
        pe(stage, path, image);
        if (!vars.secureBoot()) {
            return new Decision("Secure Boot off: not checked", null);
        }
        Verdict fw = new SecureBootPolicy(vars).evaluate(path, image);
        if (fw.allowed()) {
            return new Decision(signedBy(fw, image, "db"), dbAuthority(fw, Authenticode.sha256(image)));
        }
        if (fw.reason() == Verdict.Reason.HASH_REVOKED || fw.reason() == Verdict.Reason.CERTIFICATE_REVOKED
                || fw.reason() == Verdict.Reason.HASH_MISMATCH || fw.reason() == Verdict.Reason.SIGNATURE_INVALID) {
            throw new Refused(stage + " " + path + ": " + reason(fw, "db"));
        }
        byte[] vendor = vendorCert(shim);
        X509Certificate vendorCert;
        try {
            vendorCert = X509Authority.certificateFromDer(vendor);
        } catch (RuntimeException e) {
            throw new Refused("shim " + BootFiles.SHIM + ": .vendor_cert is not a DER certificate");
        }
        SecureBootVariables shimDb = vars.withDb(SignatureDatabase.empty().withCertificate(SHIM_LOCK, vendorCert));
        Verdict sv = new SecureBootPolicy(shimDb).evaluate(path, image);
        if (sv.allowed() && sv.reason() == Verdict.Reason.SIGNED_BY_DB) {
            return new Decision(signedBy(sv, image, "shim vendor certificate"),
                    new UefiVariableData(SHIM_LOCK, "Shim", vendor));
        }
        throw new Refused(stage + " " + path + ": " + reason(fw, "db or shim's vendor certificate"));
    }

    /** The signer whose chain led to the deciding certificate, and where that certificate is. */
    private static String signedBy(Verdict v, byte[] image, String where) {
        if (v.authority().isEmpty()) {
            return "its SHA-256 Authenticode digest is in " + where;
        }
        X509Certificate anchor = v.authority().get();
        String signer = Authenticode.signatures(image).stream().filter(s -> s.chainsTo(anchor)).findFirst()
                .map(s -> s.signer().getSubjectX500Principal().getName())
                .orElse(anchor.getSubjectX500Principal().getName());
        return "signed by " + signer + ", " + where;
    }

    private static String reason(Verdict v, String trusted) {
        return switch (v.reason()) {
            case HASH_REVOKED -> "its SHA-256 Authenticode digest " + v.detail().replaceAll(".* hash ([0-9a-f]+) .*",
                    "$1") + " is revoked in dbx";
            case CERTIFICATE_REVOKED -> "signed by a certificate revoked in dbx (" + v.detail() + ")";
            case UNSIGNED -> "not signed, and its digest is not in " + trusted;
            case UNTRUSTED_SIGNER -> "not signed by a key in " + trusted + " (" + v.detail() + ")";
            default -> v.detail();
        };
    }

    private UefiVariableData dbAuthority(Verdict v, byte[] sha256) {
        byte[] wanted = v.authority().map(X509Authority::toDer).orElse(sha256);
        for (EfiSignatureList l : vars.db().lists()) {
            for (EfiSignatureData d : l.signatures()) {
                if (Arrays.equals(d.signatureData(), wanted)) {
                    byte[] data = new byte[16 + wanted.length];
                    EfiGuid.write(d.signatureOwner(), data, 0);
                    System.arraycopy(wanted, 0, data, 16, wanted.length);
                    return new UefiVariableData(EfiGuids.EFI_IMAGE_SECURITY_DATABASE, "db", data);
                }
            }
        }
        throw new IllegalStateException("the db entry that verified the image is not in db");
    }

    private GrubConfig grubStage(byte[] shim) throws Refused {
        newStage("grub", BootFiles.GRUB, "");
        byte[] grub = file("grub", BootFiles.GRUB);
        Decision d = shimVerify("grub", BootFiles.GRUB, shim, grub);
        if (d.authority() != null) {
            measureAuthority(d.authority());
        }
        current.verdict = d.verdict();
        // shim's tpm_log_pe leaves the UEFI_IMAGE_LOAD_EVENT's fields zero and gives no device path
        measureImage(4, grub, BootFiles.GRUB, new UefiImageLoadEvent(0, 0, 0, new byte[0]).write());
        byte[] cfgBytes = file("grub", BootFiles.GRUB_CFG);
        measureFile("/" + BootFiles.GRUB_CFG, cfgBytes);
        GrubConfig cfg;
        try {
            cfg = GrubConfig.parse(new String(cfgBytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new Refused("grub " + BootFiles.GRUB_CFG + ": " + e.getMessage());
        }
        for (String c : cfg.topLevel) {
            measureString(GrubMeasurements.COMMAND_PREFIX, c);
        }
        return cfg;
    }

    private byte[] kernelStage(byte[] shim, GrubConfig cfg) throws Refused {
        String path = cfg.linuxPath.substring(1);
        kernelStageBuilder = newStage("kernel", path, "");
        measureString(GrubMeasurements.COMMAND_PREFIX, "linux " + cfg.linuxPath
                + (cfg.args.isEmpty() ? "" : " " + cfg.args));
        byte[] kernel = file("kernel", path);
        measureFile(cfg.linuxPath, kernel);
        Decision d = shimVerify("kernel", path, shim, kernel);
        if (d.authority() != null) {
            measureAuthority(d.authority());
        }
        current.verdict = d.verdict();
        measureString(GrubMeasurements.KERNEL_CMDLINE_PREFIX, cfg.linuxPath
                + (cfg.args.isEmpty() ? "" : " " + cfg.args));
        return kernel;
    }

    private byte[] initramfsStage(GrubConfig cfg) throws Refused {
        if (cfg.initrdPath == null) {
            initramfsStageBuilder = newStage("initramfs", "", "none: grub.cfg loads no initrd");
            return null;
        }
        String path = cfg.initrdPath.substring(1);
        initramfsStageBuilder = newStage("initramfs", path, "not signed: measured into PCR 9, not verified");
        measureString(GrubMeasurements.COMMAND_PREFIX, "initrd " + cfg.initrdPath);
        byte[] initramfs = file("initramfs", path);
        measureFile(cfg.initrdPath, initramfs);
        return initramfs;
    }

    // --- UEFI device paths and load options

    static byte[] devicePath(String file) {
        byte[] name = utf16z(file);
        byte[] dp = new byte[4 + name.length + 4];
        dp[0] = 0x04; // MEDIA_DEVICE_PATH
        dp[1] = 0x04; // MEDIA_FILEPATH_DP
        dp[2] = (byte) (4 + name.length);
        dp[3] = (byte) ((4 + name.length) >> 8);
        System.arraycopy(name, 0, dp, 4, name.length);
        dp[dp.length - 4] = 0x7F; // END_DEVICE_PATH_TYPE
        dp[dp.length - 3] = (byte) 0xFF; // END_ENTIRE_DEVICE_PATH_SUBTYPE
        dp[dp.length - 2] = 0x04;
        return dp;
    }

    static byte[] loadOption(String description, byte[] devicePath) {
        byte[] desc = utf16z(description);
        byte[] b = new byte[6 + desc.length + devicePath.length];
        b[0] = 1; // LOAD_OPTION_ACTIVE
        b[4] = (byte) devicePath.length;
        b[5] = (byte) (devicePath.length >> 8);
        System.arraycopy(desc, 0, b, 6, desc.length);
        System.arraycopy(devicePath, 0, b, 6 + desc.length, devicePath.length);
        return b;
    }
}
