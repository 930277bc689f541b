package io.teebox.intel.owner.internal;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The TD owner. It launches with TD_PARAMS built from the policy (the policy is the TD ATTRIBUTES), checks the MRTD
 * that TDH.MR.FINALIZE returns against the one it computes from the firmware it expects, and releases nothing at
 * launch: TDX has no launch secret, so a TD owner releases secrets after verifying a quote.
 */
@Component(service = GuestOwnerService.class)
@TeeType(Tdx.TEE_TYPE)
public final class TdxGuestOwner implements GuestOwnerService {

    @Override
    public LaunchOwner prepare(OwnerPolicy policy) {
        long attributes = policy.policy();
        if ((attributes & ~TdAttributes.SUPPORTED) != 0) {
            throw new IllegalArgumentException(String.format("policy 0x%X sets TD attribute bits 0x%X that TDX does "
                    + "not define", attributes, attributes & ~TdAttributes.SUPPORTED));
        }
        if (policy.kernel() != null || policy.initrd() != null || policy.cmdline() != null) {
            throw new IllegalArgumentException("a TD's kernel is measured by its firmware into RTMRs at runtime, not "
                    + "into MRTD: launch without a kernel and check the RTMRs in a quote");
        }
        if (policy.secret() != null) {
            throw new IllegalArgumentException("TDX has no launch secret: release the secret after verifying a quote "
                    + "of the running TD (tdx:quote, tdx:verify)");
        }
        if (policy.expectedDigest() != null && policy.expectedDigest().length != TdMeasurement.DIGEST_SIZE) {
            throw new IllegalArgumentException("expected MRTD must be 48 bytes, got " + policy.expectedDigest().length);
        }
        // the expected firmware is parsed (and its MRTD computed) now, so a malformed one is refused before a TD
        // exists rather than tearing down a TD half built
        byte[] mrtd = expectedDigest(policy, 1, null);
        return new LaunchOwner() {
            private byte[] expected;

            @Override
            public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> certificates,
                    GuestConfig config) {
                expected = mrtd.clone(); // MRTD does not depend on the vCPUs: TDH.VP.INIT is not measured
                TdParams params = TdParams.defaults(attributes, config.vcpus());
                return new LaunchRequest(attributes, Map.of(Tdx.OWNER_TD_PARAMS, params.toBytes()), config.vcpus(),
                        config.vcpuType());
            }

            @Override
            public List<SecretPacket> approve(Measurement measurement) {
                if (expected == null) {
                    throw new LaunchRejectedException("approve called before start");
                }
                byte[] value = measurement.value();
                if (!Tdx.MEASUREMENT_FORMAT.equals(measurement.format()) || value.length != TdMeasurement.DIGEST_SIZE) {
                    throw new LaunchRejectedException("expected a 48-byte " + Tdx.MEASUREMENT_FORMAT + ", got "
                            + measurement.format() + " of " + value.length + " bytes");
                }
                if (!MessageDigest.isEqual(expected, value)) {
                    throw new LaunchRejectedException("MRTD " + Hex.encode(value) + " is not the expected "
                            + Hex.encode(expected));
                }
                return List.of();
            }
        };
    }

    /** MRTD of the expected firmware (the platform's default firmware if the policy names none). */
    @Override
    public byte[] expectedDigest(OwnerPolicy policy, int vcpus, String vcpuType) {
        if (policy.expectedDigest() != null) {
            return policy.expectedDigest();
        }
        byte[] fw = policy.firmware() != null ? policy.firmware() : DefaultFirmware.image();
        return TdMeasurement.mrtd(OvmfImage.parse(fw));
    }
}
