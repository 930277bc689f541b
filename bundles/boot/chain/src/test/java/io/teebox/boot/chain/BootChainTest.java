package io.teebox.boot.chain;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.uefi.Authenticode;
import io.teebox.boot.uefi.PlatformVendor;
import io.teebox.boot.uefi.SecureBootVariables;
import io.teebox.boot.uefi.SignatureDatabase;
import io.teebox.disk.image.CpioEntry;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The modelled boot end to end: the sink, the log's replay, the owner's calculation and tpm2-tools' tpm2_eventlog
 * agree; Secure Boot refuses what it must; each change moves the PCRs it should and no other; sbsigntool and
 * osslsigncode accept the images' signatures.
 */
public class BootChainTest {

    static final PlatformVendor VENDOR = PlatformVendor.fromSeed("Teebox", bytes("teebox-boot-chain-test-vendor"));
    static final Distro DEBIAN = Distro.fromSeed("Debian", bytes("teebox-boot-chain-test-debian"), VENDOR);
    static final Distro ROGUE = Distro.fromSeed("Rogue", bytes("teebox-boot-chain-test-rogue-1"), VENDOR);
    static final byte[] FIRMWARE = bytes("teebox test firmware volume ".repeat(100));
    static final String CMDLINE = "root=/dev/vda2 ro console=ttyS0";
    static final byte[] INITRAMFS = bytes("initramfs of the unlock stage");
    static final List<CpioEntry> FILES = BootFiles.build(DEBIAN, "6.1.0-18-amd64", CMDLINE, INITRAMFS);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static UefiFirmware firmware() {
        return new UefiFirmware(FIRMWARE, VENDOR.variables());
    }

    static BootResult boot(SecureBootVariables vars, List<CpioEntry> files, PcrAccumulator acc) {
        return new UefiFirmware(FIRMWARE, vars).boot(files, null, acc);
    }

    static List<CpioEntry> replace(List<CpioEntry> files, String name, byte[] data) {
        List<CpioEntry> out = new ArrayList<>();
        for (CpioEntry e : files) {
            out.add(e.name().equals(name) ? CpioEntry.file(name, data) : e);
        }
        return out;
    }

    static Map<String, Map<Integer, String>> hex(Map<HashAlgorithm, SortedMap<Integer, byte[]>> pcrs) {
        Map<String, Map<Integer, String>> out = new TreeMap<>();
        pcrs.forEach((a, bank) -> {
            Map<Integer, String> m = new TreeMap<>();
            bank.forEach((k, v) -> m.put(k, Hex.encode(v)));
            out.put(a.tpm2ToolsName(), m);
        });
        return out;
    }

    static TreeSet<Integer> changed(Map<HashAlgorithm, SortedMap<Integer, byte[]>> a,
            Map<HashAlgorithm, SortedMap<Integer, byte[]>> b) {
        TreeSet<Integer> out = new TreeSet<>();
        for (HashAlgorithm alg : a.keySet()) {
            TreeSet<Integer> all = new TreeSet<>(a.get(alg).keySet());
            all.addAll(b.get(alg).keySet());
            for (int pcr : all) {
                byte[] x = a.get(alg).get(pcr);
                byte[] y = b.get(alg).get(pcr);
                if (x == null || y == null || !java.util.Arrays.equals(x, y)) {
                    out.add(pcr);
                }
            }
        }
        return out;
    }

    @Test
    public void signedChainBootsAndSinkReplayAndExpectedPcrsAgree() {
        PcrAccumulator acc = new PcrAccumulator();
        BootResult r = firmware().boot(FILES, null, acc);
        assertTrue(r.refusal(), r.booted());
        assertNull(r.refusal());
        assertEquals(List.of("firmware", "shim", "grub", "kernel", "initramfs"),
                r.stages().stream().map(Stage::name).toList());
        assertTrue(r.stage("shim").verdict(), r.stage("shim").verdict().startsWith(
                "signed by CN=Teebox UEFI Image Signing") && r.stage("shim").verdict().endsWith(", db"));
        assertEquals("signed by CN=Debian Secure Boot Signer,O=Debian, shim vendor certificate",
                r.stage("grub").verdict());
        assertEquals(r.stage("grub").verdict(), r.stage("kernel").verdict());
        assertEquals("BOOT_IMAGE=/vmlinuz " + CMDLINE, r.cmdline());
        assertArrayEquals(INITRAMFS, r.initramfs());
        assertArrayEquals(BootFiles.kernel(DEBIAN, "6.1.0-18-amd64"), r.kernel());
        assertEquals(hex(acc.values()), hex(UefiFirmware.replay(r.eventLog())));
        assertEquals(hex(acc.values()), hex(UefiFirmware.expectedPcrs(FIRMWARE, VENDOR.variables(), FILES, null)));
        assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14)),
                new TreeSet<>(acc.values().get(HashAlgorithm.SHA256).keySet()));
        // PCR 4: the action, the separator, then shim, GRUB and the kernel by their Authenticode hashes
        List<Measurement> pcr4 = r.stages().stream().flatMap(s -> s.measurements().stream())
                .filter(m -> m.pcr() == 4 && m.eventType().equals("EV_EFI_BOOT_SERVICES_APPLICATION")).toList();
        assertEquals(3, pcr4.size());
        assertArrayEquals(Authenticode.sha256(BootFiles.shim(DEBIAN)), pcr4.get(0).digests().get(HashAlgorithm.SHA256));
        assertArrayEquals(Authenticode.sha256(BootFiles.grub(DEBIAN)), pcr4.get(1).digests().get(HashAlgorithm.SHA256));
        assertArrayEquals(Authenticode.sha256(r.kernel()), pcr4.get(2).digests().get(HashAlgorithm.SHA256));
    }

    @Test
    public void tpm2EventlogComputesTheSamePcrsAsTheSinkAndTheOwner() throws Exception {
        PcrAccumulator acc = new PcrAccumulator();
        BootResult r = firmware().boot(FILES, null, acc);
        Map<String, Map<Integer, String>> theirs = tpm2Eventlog(r.eventLog());
        assertEquals(hex(acc.values()), theirs);
        assertEquals(hex(UefiFirmware.expectedPcrs(FIRMWARE, VENDOR.variables(), FILES, null)), theirs);
        // and a refused boot's partial log too
        PcrAccumulator partial = new PcrAccumulator();
        BootResult refused = boot(VENDOR.variables(), replace(FILES, BootFiles.GRUB, ROGUE.sign(
                io.teebox.boot.uefi.PeImage.parse(BootFiles.grub(DEBIAN)).withoutCertificates())), partial);
        assertFalse(refused.booted());
        assertEquals(hex(partial.values()), tpm2Eventlog(refused.eventLog()));
    }

    @Test
    public void grubSignedByAnUnknownKeyIsRefused() {
        byte[] unsigned = io.teebox.boot.uefi.PeImage.parse(BootFiles.grub(DEBIAN)).withoutCertificates();
        PcrAccumulator acc = new PcrAccumulator();
        BootResult r = boot(VENDOR.variables(), replace(FILES, BootFiles.GRUB, ROGUE.sign(unsigned)), acc);
        assertFalse(r.booted());
        assertTrue(r.refusal(), r.refusal().startsWith("grub EFI/BOOT/grubx64.efi: not signed by a key in db or"
                + " shim's vendor certificate"));
        assertEquals("grub", r.stages().get(r.stages().size() - 1).name());
        assertNull(r.kernel());
        assertEquals(hex(acc.values()), hex(UefiFirmware.replay(r.eventLog())));
        // nothing of GRUB's was measured: no PCR 8 or 9
        assertFalse(acc.values().get(HashAlgorithm.SHA256).containsKey(8));
        assertFalse(acc.values().get(HashAlgorithm.SHA256).containsKey(9));
        BootResult plain = boot(VENDOR.variables(), replace(FILES, BootFiles.GRUB, unsigned), new PcrAccumulator());
        assertTrue(plain.refusal(), plain.refusal().startsWith("grub EFI/BOOT/grubx64.efi: not signed"));
    }

    @Test
    public void shimNotSignedByDbIsRefusedByFirmware() {
        PlatformVendor other = PlatformVendor.fromSeed("Other", bytes("teebox-boot-chain-test-other-vendor"));
        byte[] shim = other.sign(io.teebox.boot.uefi.PeImage.parse(BootFiles.shim(DEBIAN)).withoutCertificates());
        BootResult r = boot(VENDOR.variables(), replace(FILES, BootFiles.SHIM, shim), new PcrAccumulator());
        assertFalse(r.booted());
        assertTrue(r.refusal(), r.refusal().startsWith("shim EFI/BOOT/BOOTX64.EFI: not signed by a key in db"));
    }

    @Test
    public void olderKernelWhoseDigestIsInDbxIsRefused() {
        List<CpioEntry> old = BootFiles.build(DEBIAN, "5.10.0-8-amd64", CMDLINE, INITRAMFS);
        byte[] oldKernel = BootFiles.kernel(DEBIAN, "5.10.0-8-amd64");
        byte[] hash = Authenticode.sha256(oldKernel);
        SecureBootVariables vars = VENDOR.variables().withDbx(SignatureDatabase.empty().withSha256(VENDOR.owner(),
                hash));
        BootResult r = boot(vars, old, new PcrAccumulator());
        assertFalse(r.booted());
        assertEquals("kernel vmlinuz: its SHA-256 Authenticode digest " + Hex.encode(hash) + " is revoked in dbx",
                r.refusal());
        // the current kernel still boots under the same dbx
        assertTrue(boot(vars, FILES, new PcrAccumulator()).booted());
    }

    @Test
    public void secureBootOffChangesPcr7Only() {
        PcrAccumulator on = new PcrAccumulator();
        PcrAccumulator off = new PcrAccumulator();
        BootResult ron = boot(VENDOR.variables(), FILES, on);
        BootResult roff = boot(VENDOR.variables().withSecureBoot(false), FILES, off);
        assertTrue(roff.booted());
        assertEquals(new TreeSet<>(List.of(7)), changed(on.values(), off.values()));
        assertEquals("Secure Boot off: not checked", roff.stage("shim").verdict());
        assertEquals("Secure Boot off: not checked", roff.stage("grub").verdict());
        assertFalse(ron.stage("grub").verdict().equals(roff.stage("grub").verdict()));
        // and with Secure Boot off an unsigned GRUB boots
        byte[] unsigned = io.teebox.boot.uefi.PeImage.parse(BootFiles.grub(DEBIAN)).withoutCertificates();
        assertTrue(boot(VENDOR.variables().withSecureBoot(false), replace(FILES, BootFiles.GRUB, unsigned),
                new PcrAccumulator()).booted());
    }

    @Test
    public void changedInitramfsBootsAndChangesPcr9Only() {
        PcrAccumulator a = new PcrAccumulator();
        PcrAccumulator b = new PcrAccumulator();
        boot(VENDOR.variables(), FILES, a);
        BootResult r = boot(VENDOR.variables(), replace(FILES, BootFiles.INITRAMFS, bytes("tampered initramfs")), b);
        assertTrue(r.booted());
        assertEquals(new TreeSet<>(List.of(9)), changed(a.values(), b.values()));
    }

    @Test
    public void changedCmdlineChangesPcr8() {
        PcrAccumulator a = new PcrAccumulator();
        PcrAccumulator b = new PcrAccumulator();
        boot(VENDOR.variables(), FILES, a);
        BootResult r = boot(VENDOR.variables(), BootFiles.build(DEBIAN, "6.1.0-18-amd64", CMDLINE + " init=/bin/sh",
                INITRAMFS), b);
        assertTrue(r.booted());
        assertEquals("BOOT_IMAGE=/vmlinuz " + CMDLINE + " init=/bin/sh", r.cmdline());
        // PCR 8 has the commands and the command line; PCR 9 has grub.cfg, which holds the command line
        assertEquals(new TreeSet<>(List.of(8, 9)), changed(a.values(), b.values()));
    }

    @Test
    public void missingKernelIsRefusedNamingTheFile() {
        List<CpioEntry> files = FILES.stream().filter(e -> !e.name().equals(BootFiles.KERNEL)).toList();
        BootResult r = boot(VENDOR.variables(), files, new PcrAccumulator());
        assertEquals("kernel vmlinuz: not found on the boot partition", r.refusal());
    }

    @Test
    public void sameInputsGiveTheSameFiles() {
        assertEquals(FILES, BootFiles.build(Distro.fromSeed("Debian", bytes("teebox-boot-chain-test-debian"),
                VENDOR), "6.1.0-18-amd64", CMDLINE, INITRAMFS));
    }

    // --- independent tools

    private Path write(String name, byte[] data) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.write(p, data);
        return p;
    }

    @Test
    public void sbverifyAcceptsGrubAndKernelWithTheDistroCaAndRefusesAnotherCa() throws Exception {
        Files.writeString(tmp.getRoot().toPath().resolve("distro.pem"), X509Authority.toPem(DEBIAN.ca().certificate()));
        Files.writeString(tmp.getRoot().toPath().resolve("rogue.pem"), X509Authority.toPem(ROGUE.ca().certificate()));
        for (CpioEntry e : FILES) {
            if (!e.name().equals(BootFiles.GRUB) && !e.name().equals(BootFiles.KERNEL)) {
                continue;
            }
            write("image.efi", e.data());
            Result ok = run("sbsigntool", "sbverify", "--cert", "distro.pem", "image.efi");
            assertEquals(ok.output, 0, ok.exitCode);
            assertTrue(ok.output, ok.output.contains("Signature verification OK"));
            Result bad = run("sbsigntool", "sbverify", "--cert", "rogue.pem", "image.efi");
            assertTrue(bad.output, bad.exitCode != 0);
        }
    }

    @Test
    public void osslsigncodeVerifiesShimAgainstTheVendorRootAndCarriesTheVendorCert() throws Exception {
        byte[] shim = BootFiles.shim(DEBIAN);
        write("shim.efi", shim);
        Files.writeString(tmp.getRoot().toPath().resolve("root.pem"), X509Authority.toPem(VENDOR.root()
                .certificate()));
        Result r = run("osslsigncode", "osslsigncode", "verify", "-in", "shim.efi", "-CAfile", "root.pem");
        assertEquals(r.output, 0, r.exitCode);
        assertTrue(r.output, r.output.contains("Signature verification: ok"));
        Matcher m = Pattern.compile("Calculated message digest\\s*:\\s*([0-9A-F]+)").matcher(r.output);
        assertTrue(r.output, m.find());
        assertEquals(Hex.encode(Authenticode.sha256(shim)).toUpperCase(java.util.Locale.ROOT), m.group(1));
        // objdump (binutils) sees shim's .vendor_cert and .sbat sections
        Result sections = run("binutils", "objdump", "-h", "shim.efi");
        assertEquals(sections.output, 0, sections.exitCode);
        assertTrue(sections.output, sections.output.contains(".vendor_cert") && sections.output.contains(".sbat"));
    }

    record Result(int exitCode, String output) {
    }

    private Result run(String debianPackage, String... command) throws Exception {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= new File(d, command[0]).canExecute();
        }
        if (!found) {
            fail(command[0] + " is not installed: apt-get install " + debianPackage
                    + " (this test checks teebox against it and does not skip)");
        }
        Process p = new ProcessBuilder(command).directory(tmp.getRoot()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static final Pattern BANK = Pattern.compile("^  (sha1|sha256|sha384|sha512):$");
    private static final Pattern PCR = Pattern.compile("^\\s+(\\d+)\\s*: 0x([0-9A-Fa-f]+)$");

    private Map<String, Map<Integer, String>> tpm2Eventlog(byte[] log) throws Exception {
        write("eventlog.bin", log);
        Result r = run("tpm2-tools", "tpm2_eventlog", "eventlog.bin");
        assertEquals(r.output, 0, r.exitCode);
        Map<String, Map<Integer, String>> pcrs = new TreeMap<>();
        boolean in = false;
        Map<Integer, String> bank = null;
        for (String line : r.output.split("\n")) {
            if (line.equals("pcrs:")) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            Matcher b = BANK.matcher(line);
            Matcher v = PCR.matcher(line);
            if (b.matches()) {
                bank = new TreeMap<>();
                pcrs.put(b.group(1), bank);
            } else if (v.matches() && bank != null) {
                bank.put(Integer.parseInt(v.group(1)), v.group(2).toLowerCase(java.util.Locale.ROOT));
            }
        }
        assertTrue(r.output, in);
        return pcrs;
    }
}
