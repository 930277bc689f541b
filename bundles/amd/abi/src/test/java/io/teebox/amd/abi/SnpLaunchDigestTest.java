package io.teebox.amd.abi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.BeforeClass;
import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;

/** The SNP launch digest against every snp-* case of the shared vectors (virtee/sev-snp-measure 0.0.13). */
public class SnpLaunchDigestTest {

    private static OvmfImage image;
    private static byte[] kernel;
    private static byte[] initrd;
    private static final Map<String, String> EXPECTED = new HashMap<>();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SnpLaunchDigestTest.class.getResourceAsStream("/vectors/firmware/" + name)) {
            return in.readAllBytes();
        }
    }

    @BeforeClass
    public static void load() throws IOException {
        image = OvmfImage.parse(resource("synthetic-ovmf.fd"));
        kernel = resource("synthetic-kernel.bin");
        initrd = resource("synthetic-initrd.bin");
        try (InputStream in = SnpLaunchDigestTest.class.getResourceAsStream("/vectors/firmware/expected.json")) {
            for (JsonElement c : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonArray("cases")) {
                EXPECTED.put(c.getAsJsonObject().get("name").getAsString(),
                        c.getAsJsonObject().get("expected").getAsString());
            }
        }
    }

    private static void check(String name, int vcpus, long sig, long features, byte[] table) {
        assertEquals(name, EXPECTED.get(name), Hex.encode(SnpLaunchDigest.forOvmf(image, vcpus, sig, features, table)));
    }

    @Test
    public void oneAndTwoEpycV4Vcpus() {
        check("snp-1vcpu-epyc-v4", 1, 0x800F12, 1, null);
        check("snp-2vcpu-epyc-v4", 2, 0x800F12, 1, null);
    }

    @Test
    public void fourGenoaVcpus() {
        check("snp-4vcpu-genoa", 4, 0xA10F10, 1, null);
    }

    @Test
    public void milanWithGuestFeatures0x21() {
        check("snp-2vcpu-milan-features-0x21", 2, 0xA00F11, 0x21, null);
    }

    @Test
    public void genoaWithKernelHashes() {
        check("snp-2vcpu-genoa-kernel", 2, 0xA10F10, 1,
                KernelHashes.table(kernel, initrd, "console=ttyS0 root=/dev/vda"));
    }

    @Test
    public void firmwarePagesAlone() {
        assertEquals(EXPECTED.get("snp-ovmf-hash"),
                Hex.encode(new SnpLaunchDigest().normal(image.loadAddress(), image.bytes()).digest()));
    }

    @Test
    public void selfComputedSpecVectors() {
        SnpLaunchDigest d = new SnpLaunchDigest().normal(0, new byte[4096]);
        assertEquals("9d13634b6014bb21cf059b2dc694e7bff01a8a7137041100cd2b695f3d10fb687267b97808b27f8f471d943bc6f53a20",
                Hex.encode(d.digest()));
        d.unmeasured(SnpLaunchDigest.ZERO, 0x1000, 4096);
        assertEquals("3bb77aec4f0d90c147b6b7884b6bd5741994d2575305f89639c95186690d949261186702ef51f2fa7c0dd4c90f03ebfd",
                Hex.encode(d.digest()));
    }

    @Test
    public void pageInfoRoundTripsAndChecksReserved() {
        byte[] raw = SnpLaunchDigest.PAGE_INFO.create().set("LENGTH", 0x70).set("PAGE_TYPE", 2)
                .set("GPA", SnpLaunchDigest.VMSA_GPA).set("CONTENTS", Digests.sha384()).toBytes();
        assertEquals(Hex.encode(raw), Hex.encode(SnpLaunchDigest.PAGE_INFO.parse(raw).toBytes()));
        raw[0x67] = 1;
        assertThrows(MalformedStructureException.class, () -> SnpLaunchDigest.PAGE_INFO.parse(raw));
        assertThrows(IllegalArgumentException.class, () -> new SnpLaunchDigest().update(7, 0, new byte[48]));
        assertThrows(IllegalArgumentException.class, () -> new SnpLaunchDigest().update(1, 0x10, new byte[48]));
        assertThrows(IllegalArgumentException.class, () -> new SnpLaunchDigest().normal(0, new byte[100]));
    }

    /** The reused PAGE_INFO buffer and SHA-384 engine against PAGE_INFO built afresh for every page. */
    @Test
    public void reusedBuffersGiveTheChainOfFreshPageInfos() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(384);
        SnpLaunchDigest fast = new SnpLaunchDigest();
        byte[] ref = new byte[48];
        for (int i = 0; i < 200; i++) {
            int type = 1 + r.nextInt(6);
            long gpa = r.nextLong() & 0x000F_FFFF_FFFF_F000L;
            byte[] page = new byte[4096];
            r.nextBytes(page);
            byte[] contents = type == SnpLaunchDigest.NORMAL || type == SnpLaunchDigest.VMSA
                    ? Digests.sha384(page) : new byte[48];
            if (type == SnpLaunchDigest.NORMAL) {
                fast.normal(gpa, page);
            } else if (type == SnpLaunchDigest.VMSA) {
                fast.vmsa(page);
                gpa = SnpLaunchDigest.VMSA_GPA;
            } else {
                fast.unmeasured(type, gpa, 4096);
            }
            ref = Digests.sha384(SnpLaunchDigest.PAGE_INFO.create().set("DIGEST_CUR", ref).set("CONTENTS", contents)
                    .set("LENGTH", 0x70).set("PAGE_TYPE", type).set("GPA", gpa).toBytes());
            assertEquals("page " + i, Hex.encode(ref), Hex.encode(fast.digest()));
        }
    }

    @Test
    public void contentsOfTheWrongLengthAreRefusedAndLeaveTheDigest() {
        SnpLaunchDigest d = new SnpLaunchDigest().unmeasured(SnpLaunchDigest.ZERO, 0x1000, 4096);
        byte[] before = d.digest();
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> d.update(SnpLaunchDigest.NORMAL, 0x2000, new byte[32]));
        assertEquals("PAGE_INFO.CONTENTS: value is 32 bytes, expected 48", e.getMessage());
        assertEquals(Hex.encode(before), Hex.encode(d.digest()));
        assertThrows(IllegalArgumentException.class, () -> d.update(0, 0x2000, new byte[48]));
        assertEquals(Hex.encode(before), Hex.encode(d.digest()));
    }
}
