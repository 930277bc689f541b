package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * TD_PARAMS as a guest owner hands it to the TDX backend (the launch parameter {@link Tdx#OWNER_TD_PARAMS}, read by
 * TDH.MNG.INIT). {@link TdParams#parse} gives parameters that serialize back to the input, or a
 * {@link MalformedStructureException}; the backend's launch with those bytes begins a TD or refuses with a
 * {@link TeeException} carrying a TDX status (TDX_OPERAND_INVALID, TDX_MAX_VCPUS_EXCEEDED), and either way no HKID
 * stays in use once the TD is decommissioned.
 */
class TdParamsFuzzTest {

    private static final TdxBackend BACKEND = TdxTesting.backend(TdxTesting.offlinePcs(TdxTesting.INTEL_SEED,
            List.of(), Clock.systemUTC()));

    @FuzzTest
    void tdParamsParseOrTdhMngInitRefusesTyped(byte[] data) {
        TdParams p = Fuzzing.typed(() -> TdParams.parse(data), MalformedStructureException.class);
        long attributes = 0;
        if (p != null) {
            assertSame("TD_PARAMS", data, p.toBytes());
            check("describe", !p.describe().isEmpty() && !TdAttributes.describe(p.attributes()).isEmpty());
            check("shared bit", p.sharedBit() == 47 || p.sharedBit() == 51);
            attributes = p.attributes();
        }
        int vcpus = data.length > 0x10 ? 1 + (data[0x10] & 1) : 1;
        LaunchRequest request = new LaunchRequest(attributes, Map.of(Tdx.OWNER_TD_PARAMS, data), vcpus, "SPR");
        try {
            LaunchSession s = BACKEND.begin(request, new MapGuestMemory(vcpus));
            check("only a TD_PARAMS that parses begins a TD", p != null);
            BACKEND.deactivate(s.handle());
            BACKEND.decommission(s.handle());
        } catch (TeeException e) {
            Fuzzing.checkMessage(e);
            check("a TDX status: " + e.getMessage(), e.status().equals(TdxStatus.TDX_OPERAND_INVALID.status())
                    || e.status().equals(TdxStatus.TDX_MAX_VCPUS_EXCEEDED.status()));
        }
        check("no HKID stays in use", BACKEND.limits().inUse() == 0);
    }
}
