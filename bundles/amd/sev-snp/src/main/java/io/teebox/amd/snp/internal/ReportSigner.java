package io.teebox.amd.snp.internal;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.util.Arrays;

import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.Signatures;

/**
 * The firmware's ATTESTATION_REPORT: the guest context's launch data and identity, the platform's TCB, firmware
 * version, chip and CPUID, signed with the VCEK of the reported TCB (or the loaded VLEK).
 */
final class ReportSigner {

    private final AmdSecureProcessor sp;

    ReportSigner(AmdSecureProcessor sp) {
        this.sp = sp;
    }

    /** @return the report version this product's firmware writes: 3, or 5 for Turin */
    int version() {
        return "Turin".equals(sp.productLine()) ? 5 : 3;
    }

    /**
     * Builds and signs a report; the caller holds the context's monitor.
     *
     * @param c the guest
     * @param data REPORT_DATA (64 bytes)
     * @param vmpl the requesting VMPL
     * @return the signed report
     */
    byte[] sign(SnpGuestContext c, byte[] data, int vmpl) {
        TcbVersion tcb = sp.snpTcb();
        String csp = sp.vlekCspId();
        SnpIdentity id = c.identity();
        SnpReport r = SnpReport.create(version());
        FirmwareVersion fw = sp.firmwareVersion();
        byte[] ma = new byte[32];
        Arrays.fill(ma, (byte) 0xFF);
        r.fields().set("GUEST_SVN", id.guestSvn()).set("POLICY", c.policy()).set("VMPL", vmpl)
                .set("FAMILY_ID", id.familyId()).set("IMAGE_ID", id.imageId()).set("ID_KEY_DIGEST", id.idKeyDigest())
                .set("AUTHOR_KEY_DIGEST", id.authorKeyDigest())
                .set("SIGNATURE_ALGO", SnpReport.ALGO_ECDSA_P384_SHA384).set("CURRENT_TCB", tcb.asLong())
                .set("PLATFORM_INFO", 0x1).set("KEY_INFO", (id.authorKeyEn() ? 1 : 0) | (csp == null ? 0 : 1 << 2))
                .set("REPORT_DATA", data)
                .set("MEASUREMENT", c.launchDigest()).set("HOST_DATA", c.hostData())
                .set("REPORT_ID", c.reportId()).set("REPORT_ID_MA", ma).set("REPORTED_TCB", tcb.asLong())
                .set("CHIP_ID", sp.keys().chipId()).set("COMMITTED_TCB", tcb.asLong())
                .set("CURRENT_BUILD", fw.part(2)).set("CURRENT_MINOR", fw.minor()).set("CURRENT_MAJOR", fw.major())
                .set("COMMITTED_BUILD", fw.part(2)).set("COMMITTED_MINOR", fw.minor())
                .set("COMMITTED_MAJOR", fw.major()).set("LAUNCH_TCB", c.launchTcb());
        int[] fms = switch (sp.productLine()) {
            case "Genoa" -> new int[] {0x19, 0x11, 0x1};
            case "Turin" -> new int[] {0x1A, 0x02, 0x0};
            default -> new int[] {0x19, 0x01, 0x1};
        };
        r.fields().set("CPUID_FAM_ID", fms[0]).set("CPUID_MOD_ID", fms[1]).set("CPUID_STEP", fms[2]);
        PrivateKey key = csp == null ? sp.keys().vcekKeys(tcb).getPrivate() : sp.keys().vlekKeys(tcb, csp).getPrivate();
        BigInteger[] rs = Signatures.ecdsaSign(key, "SHA-384", r.signedBytes());
        return r.sign(rs[0], rs[1]).bytes();
    }
}
