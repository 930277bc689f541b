package io.teebox.disk.cvm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.attestation.api.Timeline;
import io.teebox.boot.chain.BootFiles;
import io.teebox.boot.chain.Stage;
import io.teebox.disk.image.ConfidentialDiskImage;
import io.teebox.disk.image.CpioArchive;
import io.teebox.disk.image.CpioEntry;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.GuestTpms;

/**
 * The seeds' confidential-disk flow end to end: an SEV-SNP CVM with a vTPM at VMPL0, a disk whose root key the owner
 * escrows in the key broker for that vTPM, a first boot that gets the key by attestation and enrolls the vTPM, a
 * reboot that unseals it; and the host's attacks, each refused with its reason.
 */
final class DiskScenario {

    /** The host's attacks. */
    enum Negative {
        NONE, INITRAMFS, REVOKED_KERNEL, OLDER_KERNEL, SECURE_BOOT_OFF, COPY;

        static Negative of(String s) {
            if (s == null || s.isEmpty()) {
                return NONE;
            }
            for (Negative n : values()) {
                if (n != NONE && n.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(s)) {
                    return n;
                }
            }
            throw new IllegalArgumentException("--negative is '" + s + "', expected initramfs, revoked-kernel, "
                    + "older-kernel, secure-boot-off or copy");
        }
    }

    static final String OWNER = "owner";
    static final String HOST = "host";
    static final String FIRMWARE = "firmware";
    static final String VTPM = "vTPM";
    static final String INITRAMFS = "initramfs";
    static final String KBS = "key broker";
    static final List<String> PARTIES = List.of(OWNER, HOST, FIRMWARE, VTPM, INITRAMFS, KBS);
    /** An older kernel the dbx does not revoke: it boots, but its digest is not the one the PCRs were sealed to. */
    static final String OLDER_KERNEL = "6.1.0-20-amd64";
    private static final long POLICY = 0x30000;
    private static final long MEMORY = 64L << 20;

    private final Hypervisor hypervisor;
    private final GuestOwnerService owner;
    private final GuestTpms tpms;
    private final CvmDisks disks;

    DiskScenario(Hypervisor hypervisor, GuestOwnerService owner, GuestTpms tpms, CvmDisks disks) {
        this.hypervisor = hypervisor;
        this.owner = owner;
        this.tpms = tpms;
        this.disks = disks;
    }

    Timeline run(Negative negative) {
        Timeline t = new Timeline("Confidential disk: SEV-SNP CVM, vTPM at VMPL0, measured and Secure Boot, LUKS2 "
                + "root key escrowed in the key broker and sealed to the vTPM" + (negative == Negative.NONE ? ""
                        : " (negative run: " + negative.name().toLowerCase(Locale.ROOT).replace('_', '-') + ")"),
                PARTIES);
        List<String> made = new ArrayList<>();
        List<CvmDisks.Created> escrowed = new ArrayList<>();
        Path dir;
        try {
            dir = Files.createTempDirectory("teebox-disk");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String cvm = launch(t, made, "disk-cvm");
            GuestTpm tpm = tpms.of(cvm);
            t.note(VTPM, "provisioned in " + cvm + "'s own pages at VMPL0 (the guest OS at VMPL1 has no access to "
                    + "them), encrypted by its memory key: EK with a certificate from the vTPM CA ("
                    + tpm.ekCertificate().getIssuerX500Principal().getName() + "), AK, an RSA decryption key");
            Path disk = dir.resolve(cvm + ".img");
            CvmDisks.Created c = disks.create(disk, cvm, List.of(CpioEntry.file("etc/hostname", utf8(cvm)),
                    CpioEntry.file("home/owner/notes.txt", utf8("the owner's confidential notes"))));
            escrowed.add(c);
            t.note(OWNER, "builds the disk: shim (signed by the platform vendor's UEFI CA), GRUB and kernel "
                    + CvmDisks.KERNEL + " (signed by the distro), an initramfs, a LUKS2 root " + c.luksUuid()
                    + "; computes the PCRs its boot gives: " + pcrs(c));
            t.step(OWNER, KBS, "POST /kbs/v0/resource/" + c.resource() + " (the root's key, sha256 "
                    + c.keySha256().substring(0, 16) + "…) and a resource-policy rule: every submod affirming, "
                    + "ek_pub_sha256 of " + cvm + "'s vTPM, and " + pcrs(c));

            if (negative == Negative.COPY) {
                String thief = launch(t, made, "other-cvm");
                Path copy = dir.resolve(thief + ".img");
                boot(t, cvm, disk, true);
                Files.copy(disk, copy, StandardCopyOption.REPLACE_EXISTING);
                t.step(HOST, HOST, "copies " + cvm + "'s disk (with its vTPM token) to " + thief);
                return attacked(t, boot(t, thief, copy, true));
            }
            CvmDisks.Booted first = boot(t, cvm, disk, true);
            if (!first.ok()) {
                return t;
            }
            switch (negative) {
                case NONE -> {
                    t.step(HOST, HOST, cvm + " reboots");
                    if (boot(t, cvm, disk, true).ok()) {
                        t.succeeded("the root volume of " + cvm + " opened by attestation on first boot and by the "
                                + "vTPM's sealed key after; the host saw its ciphertext only");
                    }
                    return t;
                }
                case INITRAMFS -> {
                    ConfidentialDiskImage.replaceBootFile(disk, ConfidentialDiskImage.INITRAMFS,
                            modified(ConfidentialDiskImage.open(disk)));
                    t.step(HOST, HOST, "rewrites " + ConfidentialDiskImage.INITRAMFS + " on the boot partition (in "
                            + "clear): its init script now also copies the root key to the host");
                    return attacked(t, boot(t, cvm, disk, true));
                }
                case REVOKED_KERNEL, OLDER_KERNEL -> {
                    String v = negative == Negative.REVOKED_KERNEL ? CvmDisks.REVOKED_KERNEL : OLDER_KERNEL;
                    ConfidentialDiskImage.replaceBootFile(disk, BootFiles.KERNEL, disks.kernel(v));
                    t.step(HOST, HOST, "swaps in the older kernel " + v + " (genuinely signed by the distro)");
                    return attacked(t, boot(t, cvm, disk, true));
                }
                case SECURE_BOOT_OFF -> {
                    t.step(HOST, FIRMWARE, "turns Secure Boot off in the CVM's UEFI variables");
                    return attacked(t, boot(t, cvm, disk, false));
                }
                default -> throw new IllegalStateException(negative.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (CvmDisks.Created c : escrowed) {
                try {
                    disks.forget(c);
                } catch (RuntimeException ignored) {
                    // the broker is gone: its rule goes with its state
                }
            }
            for (String g : made) {
                try {
                    hypervisor.destroy(g);
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a temporary directory
            }
        }
    }

    private String launch(Timeline t, List<String> made, String prefix) {
        String name = prefix + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        byte[] image = DefaultFirmware.image();
        hypervisor.create(new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", MEMORY));
        made.add(name);
        hypervisor.launch(name, new LaunchPlan(image, null, null, null), owner.prepare(new OwnerPolicy(POLICY,
                image, null, null, null, null, null, -1)));
        t.step(HOST, FIRMWARE, "launches SEV-SNP CVM " + name + " (policy 0x30000, teebox's UEFI firmware)");
        return name;
    }

    private CvmDisks.Booted boot(Timeline t, String cvm, Path disk, boolean secureBoot) {
        t.step(HOST, FIRMWARE, "boots " + cvm + " from " + disk.getFileName() + " (Secure Boot " + (secureBoot ? "on"
                : "off") + ")");
        CvmDisks.Booted b = disks.boot(cvm, disk, secureBoot);
        for (Stage s : b.boot().stages()) {
            t.step(FIRMWARE, VTPM, s.name() + (s.file() == null || s.file().isEmpty() ? "" : " " + s.file()) + ": "
                    + s.verdict() + "; measured into PCRs " + s.measurements().stream().map(m -> m.pcr()).distinct()
                            .sorted().toList());
        }
        if (!b.boot().booted()) {
            return b;
        }
        for (String line : b.unlock().steps()) {
            t.step(INITRAMFS, line.contains("key broker") ? KBS : VTPM, line);
        }
        if (!b.unlock().opened()) {
            t.refused(b.unlock().refusal());
        } else {
            t.note(INITRAMFS, "root volume open (by the " + b.unlock().by() + "): " + String.join(", ",
                    b.unlock().rootFiles()));
        }
        return b;
    }

    /** An attack's boot: refused (the timeline says why) or, if it was not, the scenario says so. */
    private static Timeline attacked(Timeline t, CvmDisks.Booted b) {
        if (!b.boot().booted()) {
            t.refused("BOOT STOPPED: " + b.boot().refusal());
        } else if (b.ok()) {
            t.succeeded("NOT REFUSED: the attack opened the root volume (by the " + b.unlock().by() + ")");
        }
        return t;
    }

    /** The disk's initramfs with one line added to its init script, as the host would add it. */
    private static byte[] modified(ConfidentialDiskImage disk) {
        for (CpioEntry e : disk.bootFiles()) {
            if (e.name().equals(ConfidentialDiskImage.INITRAMFS)) {
                List<CpioEntry> out = new ArrayList<>();
                for (CpioEntry f : CpioArchive.read(e.data())) {
                    out.add(!f.name().equals("init") ? f : new CpioEntry(f.name(), f.mode(), f.uid(), f.gid(),
                            f.mtime(), utf8(new String(f.data(), StandardCharsets.US_ASCII).replace(
                                    "exec switch_root", "cat /run/teebox/root.key > /dev/ttyS1\nexec switch_root"))));
                }
                return CpioArchive.write(out);
            }
        }
        throw new IllegalStateException("the disk has no " + ConfidentialDiskImage.INITRAMFS);
    }



    private static String pcrs(CvmDisks.Created c) {
        StringBuilder b = new StringBuilder();
        c.pcrs().forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append("PCR ").append(k).append(' ')
                .append(v, 0, 12).append('…'));
        return b.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
