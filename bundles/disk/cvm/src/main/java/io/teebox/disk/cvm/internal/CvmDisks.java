package io.teebox.disk.cvm.internal;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.launch.Measurement;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.boot.chain.BootFiles;
import io.teebox.boot.chain.BootResult;
import io.teebox.boot.chain.Distro;
import io.teebox.boot.chain.UefiFirmware;
import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.uefi.Authenticode;
import io.teebox.boot.uefi.PlatformVendor;
import io.teebox.boot.uefi.SecureBootVariables;
import io.teebox.disk.image.ConfidentialDiskImage;
import io.teebox.disk.image.CpioEntry;
import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.NewKeyslot;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.GuestTpms;

/**
 * Confidential disks and the CVMs that boot from them: the owner's side (the disk, its key escrowed in the key
 * broker for one CVM's vTPM, the PCRs its boot must show) and the guest's (UEFI measured and Secure Boot into the
 * vTPM, then the initramfs that unlocks the root: {@link UnlockStage}).
 */
@Component(service = CvmDisks.class)
public final class CvmDisks {

    /** The PCRs the root key is sealed to and the key broker pins: boot applications, Secure Boot, GRUB's commands
     *  and kernel command line, the files GRUB and the kernel read (kernel, initrd). */
    static final int[] PCRS = {4, 7, 8, 9};
    /** The kernel every disk gets unless told otherwise. */
    static final String KERNEL = "6.1.0-27-amd64";
    /** An older kernel of the same distro whose Authenticode digest the platform's dbx revokes (a fixed CVE). */
    static final String REVOKED_KERNEL = "6.1.0-10-amd64";
    /** The kernel command line GRUB passes. */
    static final String CMDLINE = "root=/dev/mapper/root ro console=ttyS0";
    /** The key broker's repository and type of disk keys; the tag is the root volume's LUKS2 UUID. */
    static final String RESOURCE = "default/disk/";

    private final Hypervisor hypervisor;
    private final GuestTpms tpms;
    private final HttpEndpoint endpoint;
    private final PlatformState state;
    private final AttestationTokens binding;
    private final PlatformVendor vendor;
    private final Distro distro;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * @param hypervisor the guests
     * @param tpms their vTPMs
     * @param endpoint the platform's HTTP server (the key broker)
     * @param state the state directory (the emulated vendors' seeds, the broker's admin key)
     * @param binding the attestation service's binding rule
     */
    @Activate
    public CvmDisks(@Reference Hypervisor hypervisor, @Reference GuestTpms tpms, @Reference HttpEndpoint endpoint,
            @Reference PlatformState state, @Reference AttestationTokens binding) {
        this.hypervisor = hypervisor;
        this.tpms = tpms;
        this.endpoint = endpoint;
        this.state = state;
        this.binding = binding;
        this.vendor = PlatformVendor.fromSeed("teebox Platform Vendor", state.secret("uefi", "platform-vendor", 32));
        this.distro = Distro.fromSeed("teebox Linux", state.secret("uefi", "distro", 32), vendor);
    }

    /** @return the platform vendor whose keys are in the firmware's PK, KEK and db */
    PlatformVendor vendor() {
        return vendor;
    }

    /** @return the distro that signs GRUB and the kernels, whose certificate shim carries */
    Distro distro() {
        return distro;
    }

    /**
     * The firmware's Secure Boot variables: the vendor's PK, KEK and db, and a dbx revoking
     * {@value #REVOKED_KERNEL}.
     *
     * @param secureBoot whether Secure Boot is on
     * @return the variables
     */
    SecureBootVariables variables(boolean secureBoot) {
        SecureBootVariables v = vendor.variables();
        byte[] revoked = Authenticode.sha256(kernel(REVOKED_KERNEL));
        return v.withDbx(v.dbx().withSha256(vendor.owner(), revoked)).withSecureBoot(secureBoot);
    }

    /** @return the distro's signed kernel image of a version */
    byte[] kernel(String version) {
        return BootFiles.kernel(distro, version);
    }

    /** The disk the owner made, and what it escrowed. */
    record Created(Path image, String luksUuid, String resource, String guest, SortedMap<Integer, String> pcrs,
            String keySha256) {
    }

    /**
     * Makes a confidential disk for one CVM and escrows its root key in the key broker: the resource may be
     * released only to that CVM's vTPM (its HCL encryption key), with every submod affirming and the PCRs the
     * disk's boot gives under Secure Boot.
     *
     * @param image the file to write
     * @param guest the running CVM the disk is for (its vTPM is provisioned if it has none)
     * @param rootFiles the root volume's files
     * @return what was made
     * @throws IllegalArgumentException for a guest whose TEE has no vTPM evidence
     */
    Created create(Path image, String guest, List<CpioEntry> rootFiles) {
        GuestInfo info = hypervisor.guest(guest);
        GuestTpm tpm = tpms.of(guest);
        SecureRandom random = new SecureRandom();
        byte[] volumeKey = new byte[64];
        random.nextBytes(volumeKey);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        List<CpioEntry> boot = new ArrayList<>();
        boot.addAll(BootFiles.build(distro, KERNEL, CMDLINE, null));
        ConfidentialDiskImage disk = ConfidentialDiskImage.create(image, boot, rootFiles, volumeKey,
                new NewKeyslot(new Kdf.Pbkdf2(1000), secret));
        Arrays.fill(volumeKey, (byte) 0);
        String uuid = ConfidentialDiskImage.rootHeader(image, false, io.teebox.disk.luks2.Luks2Image::uuid);
        SortedMap<Integer, String> pcrs = expectedPcrs(guest, disk, true);

        KbsAdmin admin = KbsAdmin.of(http, endpoint.baseUrl(), state.directory().resolve("kbs")
                .resolve("admin-key.pem"));
        String resource = RESOURCE + uuid;
        admin.putResource(resource, secret);
        String format = GuestTpm.EVIDENCE_FORMAT;
        JsonArray allow = new JsonArray();
        allow.add(condition(List.of("submods", "*", "ear.status"), "affirming"));
        String ek = sha256Hex(TpmtPublic.fromBytes(tpm.encryptionKeyPublic()).publicKey().getEncoded());
        allow.add(condition(claim(format, "ek_pub_sha256"), ek));
        for (int pcr : PCRS) {
            allow.add(condition(claim(format, "pcr" + pcr), pcrs.get(pcr)));
        }
        admin.ruleFor(resource, allow);
        String keyHash = sha256Hex(secret);
        Arrays.fill(secret, (byte) 0);
        return new Created(image, uuid, resource, guest, pcrs, keyHash);
    }

    /**
     * Takes a disk's rule out of the key broker's resource policy, so that its key is released to no one.
     *
     * @param created the disk
     */
    void forget(Created created) {
        KbsAdmin.of(http, endpoint.baseUrl(), state.directory().resolve("kbs").resolve("admin-key.pem"))
                .dropRule(created.resource());
    }

    /** The claim path of a vTPM verifier's claim in a token. */
    static List<String> claim(String format, String name) {
        return List.of("submods", "cpu0", "ear.veraison.annotated-evidence", format, name);
    }

    private static JsonObject condition(List<String> claim, String value) {
        JsonObject c = new JsonObject();
        JsonArray path = new JsonArray();
        claim.forEach(path::add);
        c.add("claim", path);
        JsonArray in = new JsonArray();
        in.add(value);
        c.add("in", in);
        return c;
    }

    /**
     * The owner's calculation: the SHA-256 PCRs the disk's boot gives in that guest's firmware, from the files alone.
     */
    SortedMap<Integer, String> expectedPcrs(String guest, ConfidentialDiskImage disk, boolean secureBoot) {
        SortedMap<Integer, byte[]> banks = UefiFirmware.expectedPcrs(firmwareImage(guest), variables(secureBoot),
                disk.bootFiles(), disk.gpt().measured()).get(HashAlgorithm.SHA256);
        SortedMap<Integer, String> out = new TreeMap<>();
        for (int pcr : PCRS) {
            out.put(pcr, HexFormat.of().formatHex(banks.get(pcr)));
        }
        return out;
    }

    /** The guest's UEFI firmware: the image its TEE measured at launch, with the platform's variables. */
    UefiFirmware firmware(String guest, boolean secureBoot) {
        return new UefiFirmware(firmwareImage(guest), variables(secureBoot));
    }

    /** The firmware volume PCR 0 measures: here the launch digest the TEE computed over the firmware it loaded. */
    private byte[] firmwareImage(String guest) {
        return hypervisor.measurement(guest).map(Measurement::value).orElseThrow(() -> new IllegalArgumentException(
                "guest " + guest + " was not launched: no firmware runs in it"));
    }

    /** What a boot did. */
    record Booted(String guest, BootResult boot, UnlockStage.Outcome unlock, SortedMap<Integer, String> pcrs) {
        boolean ok() {
            return boot.booted() && unlock != null && unlock.opened();
        }
    }

    /**
     * Boots a CVM from a disk: the vTPM restarts, the firmware measures and verifies the chain into it, and the
     * initramfs unlocks the root.
     *
     * @param guest the running CVM
     * @param image its disk
     * @param secureBoot whether the firmware enforces Secure Boot
     * @return what happened, each refusal with its reason
     */
    Booted boot(String guest, Path image, boolean secureBoot) {
        GuestInfo info = hypervisor.guest(guest);
        String tee = GuestTpm.EVIDENCE_FORMAT;
        ConfidentialDiskImage disk = ConfidentialDiskImage.open(image);
        GuestTpm tpm = tpms.of(guest);
        tpm.reboot();
        BootResult r = firmware(guest, secureBoot).boot(disk.bootFiles(), disk.gpt().measured(), (pcr, digests) -> {
            Map<String, byte[]> byName = new LinkedHashMap<>();
            digests.forEach((alg, d) -> byName.put(alg.tpm2ToolsName(), d));
            tpm.extend(pcr, byName);
        });
        tpm.eventLog(r.eventLog());
        UnlockStage.Outcome unlock = null;
        if (r.booted()) {
            unlock = new UnlockStage(tpm, new VtpmAgent(http, endpoint.baseUrl(), binding), tee, PCRS)
                    .unlock(image);
        }
        SortedMap<Integer, String> pcrs = new TreeMap<>();
        tpm.pcrs("sha256").forEach((k, v) -> pcrs.put(k, HexFormat.of().formatHex(v)));
        return new Booted(guest, r, unlock, pcrs);
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
