package io.teebox.amd.owner.sev.internal;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.teebox.amd.abi.SecretHeader;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevCrypto;
import io.teebox.amd.abi.SevLaunchDigest;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevSession;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.crypto.AesCtr;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;

/**
 * The SEV and SEV-ES guest owner: wraps a session for the platform's PDH, recomputes LAUNCH_MEASURE from the launch digest it
 * expects, and releases its secret only for a matching measurement. It never sees a platform secret.
 */
public abstract class AbstractSevOwner implements GuestOwnerService {

    private final SecureRandom random = new SecureRandom();
    private final boolean encryptedState;

    /**
     * @param encryptedState true for SEV-ES: the VMSAs are part of the launch digest
     */
    protected AbstractSevOwner(boolean encryptedState) {
        this.encryptedState = encryptedState;
    }

    @Override
    public LaunchOwner prepare(OwnerPolicy policy) {
        new SevPolicy(policy.policy());
        if (policy.expectedDigest() != null && policy.expectedDigest().length != 32) {
            throw new IllegalArgumentException("expected SEV launch digest must be 32 bytes (SHA-256), got "
                    + policy.expectedDigest().length);
        }
        if (policy.secret() != null && (policy.secret().length < 8 || policy.secret().length > 65536)) {
            throw new IllegalArgumentException("secret must be 8..65536 bytes, got " + policy.secret().length);
        }
        return new Owner(policy);
    }

    @Override
    public byte[] expectedDigest(OwnerPolicy policy, int vcpus, String vcpuType) {
        return policy.expectedDigest() != null ? policy.expectedDigest() : computeDigest(policy, vcpus, vcpuType);
    }

    /**
     * SHA-256 over the firmware, then the kernel-hashes table when a kernel is given, then for SEV-ES the QEMU reset
     * VMSA of each vCPU (QEMU's order).
     */
    byte[] computeDigest(OwnerPolicy policy, int vcpus, String vcpuType) {
        byte[] fw = policy.firmware() != null ? policy.firmware() : DefaultFirmware.image();
        return SevLaunchDigest.compute(fw, policy.kernel() == null ? null : KernelHashes.table(policy.kernel(),
                policy.initrd(), policy.cmdline()), encryptedState, vcpus, encryptedState ? CpuModels.signature(
                        vcpuType) : 0);
    }

    private final class Owner implements LaunchOwner {
        private final OwnerPolicy policy;
        private byte[] digest;
        private byte[] tek;
        private byte[] tik;
        private FirmwareVersion firmware;

        Owner(OwnerPolicy policy) {
            this.policy = policy;
        }

        @Override
        public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> certs, GuestConfig config) {
            byte[] pdhBytes = certs.get("pdh");
            byte[] pekBytes = certs.get("pek");
            if (pdhBytes == null || pekBytes == null) {
                throw new LaunchRejectedException("the platform offers no PDH and PEK certificates; got "
                        + certs.keySet());
            }
            SevCertificate pdh;
            SevCertificate pek;
            try {
                pdh = SevCertificate.parse(pdhBytes);
                pek = SevCertificate.parse(pekBytes);
            } catch (TeeException e) {
                throw new LaunchRejectedException("platform certificate rejected: " + e.getMessage());
            }
            if (pdh.usage() != SevCertificate.USAGE_PDH || pek.usage() != SevCertificate.USAGE_PEK) {
                throw new LaunchRejectedException(String.format("platform certificates have usages 0x%X/0x%X, "
                        + "expected PDH 0x1003 and PEK 0x1002", pdh.usage(), pek.usage()));
            }
            if (!pdh.signedBy(pek)) {
                throw new LaunchRejectedException("the PDH certificate is not signed by the platform's PEK");
            }
            firmware = backend.firmware();
            digest = expectedDigest(policy, config.vcpus(), config.vcpuType());
            SevPolicy p = new SevPolicy(policy.policy());
            KeyPair godh = EcKeys.generate("P-384");
            byte[] z = EcKeys.ecdh(godh.getPrivate(), pdh.publicKey());
            byte[] nonce = bytes(16);
            byte[] iv = bytes(16);
            tek = bytes(16);
            tik = bytes(16);
            byte[] master = SevCrypto.masterSecret(z, nonce);
            byte[] tekTik = new byte[32];
            System.arraycopy(tek, 0, tekTik, 0, 16);
            System.arraycopy(tik, 0, tekTik, 16, 16);
            byte[] wrapTk = SevCrypto.wrap(SevCrypto.kek(master), iv, tekTik);
            SevSession session = new SevSession(nonce, wrapTk, iv, SevCrypto.wrapMac(SevCrypto.kik(master), wrapTk),
                    SevCrypto.policyMac(tik, p));
            byte[] godhCert = SevCertificate.create(SevCertificate.USAGE_PDH, SevCertificate.ALGO_ECDH_SHA256,
                    godh.getPublic(), firmware.major(), firmware.minor()).bytes();
            Map<String, byte[]> params = new LinkedHashMap<>();
            params.put("godh-cert", godhCert);
            params.put("session", session.bytes());
            return new LaunchRequest(policy.policy(), params, config.vcpus(), config.vcpuType());
        }

        @Override
        public List<SecretPacket> approve(Measurement measurement) {
            if (tik == null) {
                throw new LaunchRejectedException("approve called before start");
            }
            byte[] value = measurement.value();
            if (!"sev-launch-measure".equals(measurement.format()) || value.length != 48) {
                throw new LaunchRejectedException("expected a 48-byte sev-launch-measure, got "
                        + measurement.format() + " of " + value.length + " bytes");
            }
            byte[] measure = Arrays.copyOf(value, 32);
            byte[] mnonce = Arrays.copyOfRange(value, 32, 48);
            SevPolicy p = new SevPolicy(policy.policy());
            byte[] expected = SevCrypto.measure(tik, firmware.major(), firmware.minor(), firmware.part(2), p, digest,
                    mnonce);
            if (!SevCrypto.macEquals(expected, measure)) {
                throw new LaunchRejectedException("launch measurement " + Hex.encode(measure)
                        + " does not match the expected " + Hex.encode(expected) + " for launch digest "
                        + Hex.encode(digest) + " (policy " + p + ", firmware " + firmware + ")");
            }
            if (policy.secret() == null) {
                return List.of();
            }
            long gpa = policy.secretAddress();
            if (gpa < 0) {
                byte[] fw = policy.firmware() != null ? policy.firmware() : DefaultFirmware.image();
                try {
                    gpa = OvmfImage.parse(fw).requireLaunchSecretArea(policy.secret().length).gpa();
                } catch (IllegalArgumentException e) {
                    throw new LaunchRejectedException(e.getMessage());
                }
            }
            byte[] iv = bytes(16);
            byte[] trans = AesCtr.apply(tek, iv, policy.secret());
            byte[] mac = SevCrypto.secretMac(tik, 0, iv, trans.length, trans, measure, firmware.major(),
                    firmware.minor());
            return List.of(new SecretPacket(gpa, new SecretHeader(0, iv, mac).bytes(), trans));
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }
    }
}
