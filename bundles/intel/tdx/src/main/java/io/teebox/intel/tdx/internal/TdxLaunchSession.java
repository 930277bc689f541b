package io.teebox.intel.tdx.internal;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.hex.Hex;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TD build: pages by TDH.MEM.PAGE.ADD (and TDH.MR.EXTEND), vCPUs by TDH.VP.INIT, {@link #measure()} is
 * TDH.MR.FINALIZE and {@link #finish()} the first TDH.VP.ENTER. TDX has no launch secret.
 */
final class TdxLaunchSession implements LaunchSession {

    private final TdxModule module;
    private final long td;

    TdxLaunchSession(TdxModule module, long td) {
        this.module = module;
        this.td = td;
    }

    @Override
    public long handle() {
        return td;
    }

    @Override
    public KeySlot keySlot() {
        return module.keySlot(td);
    }

    @Override
    public void addPages(long guestPhysicalAddress, long length, PageType type) {
        module.addPages(td, guestPhysicalAddress, length, type);
    }

    @Override
    public void addVcpuState(int vcpu) {
        module.vpInit(td, vcpu);
    }

    @Override
    public Measurement measure() {
        byte[] mrtd = module.finalizeMr(td);
        TdParams params = TdParams.parse(module.tdParams(td));
        Map<String, String> f = new LinkedHashMap<>();
        f.put("MRTD", Hex.encode(mrtd));
        f.put("ATTRIBUTES", String.format("0x%016X (%s)", params.attributes(),
                TdAttributes.describe(params.attributes())));
        f.put("XFAM", String.format("0x%016X", params.xfam()));
        f.put("MRCONFIGID", Hex.encode(params.mrConfigId()));
        f.put("MROWNER", Hex.encode(params.mrOwner()));
        f.put("MROWNERCONFIG", Hex.encode(params.mrOwnerConfig()));
        return new Measurement(Tdx.MEASUREMENT_FORMAT, mrtd, f);
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        module.logCall(td, "(launch secret)", TdxStatus.TDX_OPERAND_INVALID, "refused: TDX has no launch secret");
        throw TdxStatus.TDX_OPERAND_INVALID.error("TDX has no launch-secret command: the TDX module never writes owner "
                + "data into a TD before it runs; a TD owner releases secrets after verifying a quote");
    }

    @Override
    public void finish() {
        module.enter(td);
    }

    @Override
    public List<LaunchLogEntry> log() {
        return module.calls(td);
    }
}
