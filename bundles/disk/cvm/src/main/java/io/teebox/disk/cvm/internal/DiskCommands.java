package io.teebox.disk.cvm.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonObject;

import io.teebox.boot.chain.Measurement;
import io.teebox.boot.chain.Stage;
import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.uefi.Authenticode;
import io.teebox.disk.image.ConfidentialDiskImage;
import io.teebox.disk.image.CpioEntry;
import io.teebox.disk.image.DiskImageException;
import io.teebox.disk.image.GuidPartitionTable;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Image;

/**
 * The confidential disk from the shell: {@code disk:create} (the owner makes a disk for a CVM and escrows its key),
 * {@code disk:inspect} (what anyone holding the file sees: the partitions, the boot files in clear, the LUKS2
 * header), {@code disk:open} (the host's view of the root: ciphertext, or the files with a key), {@code disk:replace}
 * (the host rewrites a boot file), and {@code guest:boot} (the CVM boots from it).
 */
@Component(service = DiskCommands.class, immediate = true, property = {
    "osgi.command.scope=disk", "osgi.command.function=create", "osgi.command.function=inspect",
    "osgi.command.function=open", "osgi.command.function=replace", "osgi.command.function=kernel"})
@Descriptor("Confidential disks: a boot part in clear, a LUKS2 root whose key only the genuine CVM gets")
public final class DiskCommands {

    private final CvmDisks disks;

    /** @param disks the disks and the CVMs that boot from them */
    @Activate
    public DiskCommands(@Reference CvmDisks disks) {
        this.disks = disks;
    }

    /**
     * @return what was made
     */
    @Descriptor("The owner makes a confidential disk for a running SEV-SNP or TDX CVM: shim, GRUB and a kernel "
            + "signed by the emulated platform vendor and distro, an initramfs, a LUKS2 root with the given files; "
            + "its key is escrowed in the key broker for that CVM's vTPM and the PCRs its boot gives")
    public String create(
            @Descriptor("the image file to write") @Parameter(names = {"-o", "--output"}, absentValue = "")
            String output,
            @Descriptor("a root file, NAME=TEXT (repeatable as a comma list)") @Parameter(names = {"-f", "--file"},
                    absentValue = "etc/hostname=cvm,home/owner/notes.txt=the owner's confidential notes")
            String files,
            @Descriptor("the CVM the disk is for (guest id or name)") String guest) {
        if (output.isEmpty()) {
            throw new IllegalArgumentException("disk:create needs -o FILE, the image to write");
        }
        List<CpioEntry> root = new ArrayList<>();
        for (String f : files.split(",")) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("root file '" + f + "' is not NAME=TEXT");
            }
            root.add(CpioEntry.file(f.substring(0, eq), f.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
        }
        CvmDisks.Created c = disks.create(Path.of(output), guest, root);
        StringBuilder b = new StringBuilder();
        b.append("disk ").append(c.image()).append(" for ").append(c.guest()).append(": boot partition in clear, root ")
                .append("LUKS2 ").append(c.luksUuid()).append('\n');
        b.append("escrowed: key broker resource ").append(c.resource()).append(" (key sha256 ")
                .append(c.keySha256(), 0, 16).append("…), released only to ").append(c.guest())
                .append("'s vTPM with every submod affirming and\n");
        c.pcrs().forEach((pcr, v) -> b.append("  PCR ").append(pcr).append(" (sha256) ").append(v).append('\n'));
        return b.toString().stripTrailing();
    }

    /** @return the disk as anyone holding the file sees it */
    @Descriptor("Shows a disk image as its holder sees it: the GPT, the boot files in clear (with their Authenticode "
            + "digests and signers), the root's LUKS2 header (keyslots, tokens)")
    public String inspect(@Descriptor("the disk image") String file) {
        Path p = existing(file);
        ConfidentialDiskImage disk = ConfidentialDiskImage.open(p);
        StringBuilder b = new StringBuilder();
        GuidPartitionTable gpt = disk.gpt();
        b.append("GPT disk ").append(gpt.header().diskGuid()).append(", ").append(gpt.partitions().size())
                .append(" partitions").append('\n');
        gpt.partitions().forEach(e -> b.append(String.format("  %-5s %s LBA %d-%d%n", e.partitionName(), e.partitionTypeGuid(),
                e.startingLba(), e.endingLba())));
        b.append("boot files (in clear):\n");
        for (CpioEntry e : disk.bootFiles()) {
            if ((e.mode() & CpioEntry.S_IFMT) == CpioEntry.S_IFDIR) {
                continue;
            }
            b.append(String.format("  %-22s %8d bytes  sha256 %s%s%n", e.name(), e.data().length,
                    CvmDisks.sha256Hex(e.data()).substring(0, 16), pe(e.data())));
        }
        String[] head = ConfidentialDiskImage.rootHeader(p, false, l -> new String[] {l.uuid(), l.keyslots()
                .keySet().toString()});
        b.append("root: LUKS2 ").append(head[0]).append(", keyslots ").append(head[1]).append('\n');
        for (Map.Entry<Integer, JsonObject> t : ConfidentialDiskImage.rootHeader(p, false, Luks2Image::tokens)
                .entrySet()) {
            JsonObject o = t.getValue();
            b.append("  token ").append(t.getKey()).append(": ").append(o.get("type").getAsString())
                    .append(" keyslots ").append(o.get("keyslots"));
            if (o.has("tpm2-pcrs")) {
                b.append(" PCRs ").append(o.get("tpm2-pcrs")).append(' ').append(o.get("tpm2-pcr-bank")
                        .getAsString());
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    private static String pe(byte[] data) {
        try {
            return "  Authenticode sha256 " + HexFormat.of().formatHex(Authenticode.sha256(data)).substring(0, 16)
                    + "…";
        } catch (RuntimeException notPe) {
            return "";
        }
    }

    /** @return the root as the host sees it, or its files */
    @Descriptor("Opens the root volume as the host: without a key it shows the first bytes of ciphertext; with "
            + "--key (a keyslot's secret, hex) it lists the files")
    public String open(@Descriptor("a keyslot secret, hex") @Parameter(names = {"-k", "--key"}, absentValue = "")
            String key, @Descriptor("the disk image") String file) {
        Path p = existing(file);
        ConfidentialDiskImage disk = ConfidentialDiskImage.open(p);
        if (key.isEmpty()) {
            long[] data = {0};
            String uuid = ConfidentialDiskImage.rootHeader(p, false, l -> {
                data[0] = l.dataOffset();
                return l.uuid();
            });
            byte[] raw = hostRead(p, disk.rootPartition().startingLba() * 512 + data[0], 64);
            return "root volume " + uuid + " (LUKS2, aes-xts-plain64): the host reads ciphertext only:\n  "
                    + HexFormat.of().formatHex(raw);
        }
        byte[] secret;
        try {
            secret = HexFormat.of().parseHex(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--key is not hex: " + e.getMessage());
        }
        try {
            StringBuilder b = new StringBuilder("root volume opened:\n");
            for (CpioEntry e : disk.unlockRoot(secret)) {
                b.append(String.format("  %-28s %s%n", e.name(), new String(e.data(), StandardCharsets.UTF_8)
                        .replace('\n', ' ')));
            }
            return b.toString().stripTrailing();
        } catch (Luks2Exception | DiskImageException e) {
            throw new IllegalArgumentException("the root volume does not open: " + e.getMessage());
        }
    }

    /** @return what was replaced */
    @Descriptor("The host rewrites one boot file of a disk image (the attacks: a modified initramfs, an older "
            + "kernel); the boot partition is in clear, so nothing stops it but the measurements")
    public String replace(@Descriptor("the disk image") String file,
            @Descriptor("the boot file, e.g. initramfs.img or vmlinuz") String name,
            @Descriptor("the new content's file") String content) {
        Path p = existing(file);
        byte[] data;
        try {
            data = Files.readAllBytes(existing(content));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + content + ": " + e.getMessage());
        }
        ConfidentialDiskImage.replaceBootFile(p, name, data);
        return "boot file " + name + " of " + file + " replaced (" + data.length + " bytes, sha256 "
                + CvmDisks.sha256Hex(data).substring(0, 16) + "…)";
    }

    /** @return where the kernel was written */
    @Descriptor("Writes a kernel image of the distro, signed with its key (an older one for the attacks: "
            + CvmDisks.REVOKED_KERNEL + " is revoked in the platform's dbx)")
    public String kernel(@Descriptor("the kernel version") @Parameter(names = {"-v", "--version"},
            absentValue = CvmDisks.KERNEL) String version, @Descriptor("the file to write") String output) {
        byte[] k = disks.kernel(version);
        try {
            Files.write(Path.of(output), k);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write " + output + ": " + e.getMessage());
        }
        return "kernel " + version + " written to " + output + " (Authenticode sha256 " + HexFormat.of()
                .formatHex(Authenticode.sha256(k)) + ")";
    }

    private static byte[] hostRead(Path image, long offset, int length) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // read until full or the end of the file
            }
            return java.util.Arrays.copyOf(b.array(), b.position());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + image + ": " + e.getMessage());
        }
    }

    static Path existing(String file) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        return p;
    }

    /** Renders a boot as the seeds' boot sequence: each stage with its verdict and measurements. */
    static String render(CvmDisks.Booted b, boolean secureBoot) {
        StringBuilder s = new StringBuilder();
        s.append("boot ").append(b.guest()).append(" (Secure Boot ").append(secureBoot ? "on" : "off").append(")\n");
        int n = 1;
        for (Stage st : b.boot().stages()) {
            s.append(String.format("%2d  %-9s %s%s%n", n++, st.name(), st.file() == null ? "" : st.file() + "  ",
                    st.verdict()));
            for (Measurement m : st.measurements()) {
                byte[] d = m.digests().get(HashAlgorithm.SHA256);
                s.append(String.format("      PCR %-2d %-34s %s  %s%n", m.pcr(), m.eventType(), d == null ? ""
                        : HexFormat.of().formatHex(d).substring(0, 16) + "…", m.description()));
            }
        }
        if (!b.boot().booted()) {
            s.append("BOOT STOPPED: ").append(b.boot().refusal()).append('\n');
        } else if (b.unlock() != null) {
            s.append(String.format("%2d  %-9s %s%n", n, "initramfs", "unlocks the root volume"));
            b.unlock().steps().forEach(l -> s.append("      ").append(l).append('\n'));
            if (b.unlock().opened()) {
                s.append("ROOT OPEN (by the ").append(b.unlock().by()).append("): ")
                        .append(String.join(", ", b.unlock().rootFiles())).append('\n');
            } else {
                s.append("ROOT LOCKED: ").append(b.unlock().refusal()).append('\n');
            }
        }
        s.append("PCRs (sha256):");
        for (int pcr : CvmDisks.PCRS) {
            s.append(' ').append(pcr).append('=').append(b.pcrs().get(pcr), 0, 16).append('…');
        }
        return s.toString();
    }
}
