package io.teebox.intel.tdx.internal;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.Tdx;
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
    private final TdContext td;

    TdxLaunchSession(TdxModule module, TdContext td) {
        this.module = module;
        this.td = td;
    }

    @Override
    public long handle() {
        return td.handle;
    }

    @Override
    public KeySlot keySlot() {
        return new KeySlot(Tdx.KEY_SLOT, td.hkid);
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
        Map<String, String> f = new LinkedHashMap<>();
        synchronized (td) {
            f.put("MRTD", Hex.encode(mrtd));
            f.put("ATTRIBUTES", String.format("0x%016X (%s)", td.params.attributes(),
                    TdAttributes.describe(td.params.attributes())));
            f.put("XFAM", String.format("0x%016X", td.params.xfam()));
            f.put("MRCONFIGID", Hex.encode(td.params.mrConfigId()));
            f.put("MROWNER", Hex.encode(td.params.mrOwner()));
            f.put("MROWNERCONFIG", Hex.encode(td.params.mrOwnerConfig()));
        }
        return new Measurement(Tdx.MEASUREMENT_FORMAT, mrtd, f);
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        td.log("(launch secret)", TdxStatus.TDX_OPERAND_INVALID, "refused: TDX has no launch secret");
        throw TdxStatus.TDX_OPERAND_INVALID.error("TDX has no launch-secret command: the TDX module never writes owner "
                + "data into a TD before it runs; a TD owner releases secrets after verifying a quote");
    }

    @Override
    public void finish() {
        module.enter(td);
    }

    @Override
    public List<LaunchLogEntry> log() {
        return td.logSince(0);
    }
}
