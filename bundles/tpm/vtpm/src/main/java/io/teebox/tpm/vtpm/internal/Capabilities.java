package io.teebox.tpm.vtpm.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmWriter;

/** TPM2_GetCapability's answers: TPMS_CAPABILITY_DATA for the capabilities tpm2-tools asks about. */
final class Capabilities {

    static final int TPM_CAP_ALGS = 0;
    static final int TPM_CAP_HANDLES = 1;
    static final int TPM_CAP_COMMANDS = 2;
    static final int TPM_CAP_PP_COMMANDS = 3;
    static final int TPM_CAP_AUDIT_COMMANDS = 4;
    static final int TPM_CAP_PCRS = 5;
    static final int TPM_CAP_TPM_PROPERTIES = 6;
    static final int TPM_CAP_PCR_PROPERTIES = 7;
    static final int TPM_CAP_ECC_CURVES = 8;

    /** "TBOX": teebox's vendor ID in TPM_PT_MANUFACTURER (not a TCG-registered vendor). */
    static final int MANUFACTURER = 0x54424F58;
    static final int FIRMWARE_VERSION_1 = 0x00020001;
    static final int FIRMWARE_VERSION_2 = 0x00000000;
    static final int MAX_COMMAND_SIZE = 4096;
    static final int NV_BUFFER_MAX = 1024;
    static final int NV_INDEX_MAX = 2048;

    /** TPMA_ALGORITHM bits. */
    private static final int ASYMMETRIC = 1;
    private static final int SYMMETRIC = 2;
    private static final int HASH = 4;
    private static final int OBJECT = 8;
    private static final int SIGNING = 0x100;
    private static final int ENCRYPTING = 0x200;
    private static final int METHOD = 0x400;

    private static final Map<Integer, Integer> ALGS = new TreeMap<>(Map.ofEntries(
            Map.entry(TpmAlgId.RSA.value(), ASYMMETRIC | OBJECT),
            Map.entry(TpmAlgId.SHA1.value(), HASH),
            Map.entry(TpmAlgId.HMAC.value(), HASH | SIGNING),
            Map.entry(TpmAlgId.AES.value(), SYMMETRIC),
            Map.entry(TpmAlgId.KEYEDHASH.value(), HASH | OBJECT),
            Map.entry(TpmAlgId.SHA256.value(), HASH),
            Map.entry(TpmAlgId.SHA384.value(), HASH),
            Map.entry(TpmAlgId.NULL.value(), 0),
            Map.entry(TpmAlgId.RSASSA.value(), ASYMMETRIC | SIGNING),
            Map.entry(TpmAlgId.RSAPSS.value(), ASYMMETRIC | SIGNING),
            Map.entry(TpmAlgId.ECDSA.value(), ASYMMETRIC | SIGNING),
            Map.entry(TpmAlgId.KDF1_SP800_108.value(), HASH | METHOD),
            Map.entry(TpmAlgId.ECC.value(), ASYMMETRIC | OBJECT),
            Map.entry(TpmAlgId.CFB.value(), SYMMETRIC | ENCRYPTING)));

    private Capabilities() {
    }

    /** The fixed (PT_FIXED) properties. */
    static Map<Integer, Integer> fixedProperties() {
        Map<Integer, Integer> p = new TreeMap<>();
        p.put(0x100, 0x322E3000); // TPM_PT_FAMILY_INDICATOR "2.0"
        p.put(0x101, 0); // TPM_PT_LEVEL
        p.put(0x102, 159); // TPM_PT_REVISION 1.59
        p.put(0x103, 1); // TPM_PT_DAY_OF_YEAR
        p.put(0x104, 2026); // TPM_PT_YEAR
        p.put(0x105, MANUFACTURER); // TPM_PT_MANUFACTURER
        p.put(0x106, 0x74656562); // TPM_PT_VENDOR_STRING_1 "teeb"
        p.put(0x107, 0x6F782D76); // "ox-v"
        p.put(0x108, 0x54504D00); // "TPM"
        p.put(0x109, 0);
        p.put(0x10A, 0); // TPM_PT_VENDOR_TPM_TYPE
        p.put(0x10B, FIRMWARE_VERSION_1);
        p.put(0x10C, FIRMWARE_VERSION_2);
        p.put(0x10D, NV_BUFFER_MAX); // TPM_PT_INPUT_BUFFER
        p.put(0x10E, 3); // TPM_PT_HR_TRANSIENT_MIN
        p.put(0x10F, 7); // TPM_PT_HR_PERSISTENT_MIN
        p.put(0x110, 3); // TPM_PT_HR_LOADED_MIN
        p.put(0x111, 64); // TPM_PT_ACTIVE_SESSIONS_MAX
        p.put(0x112, Handles.PCR_COUNT); // TPM_PT_PCR_COUNT
        p.put(0x113, 3); // TPM_PT_PCR_SELECT_MIN
        p.put(0x114, 0xFFFF); // TPM_PT_CONTEXT_GAP_MAX
        p.put(0x116, 0); // TPM_PT_NV_COUNTERS_MAX
        p.put(0x117, NV_INDEX_MAX); // TPM_PT_NV_INDEX_MAX
        p.put(0x118, 0x6); // TPM_PT_MEMORY: sharedNV, objectCopiedToRam
        p.put(0x119, 1000); // TPM_PT_CLOCK_UPDATE
        p.put(0x11A, TpmAlgId.SHA256.value()); // TPM_PT_CONTEXT_HASH
        p.put(0x11B, TpmAlgId.AES.value()); // TPM_PT_CONTEXT_SYM
        p.put(0x11C, 128); // TPM_PT_CONTEXT_SYM_SIZE
        p.put(0x11D, 255); // TPM_PT_ORDERLY_COUNT
        p.put(0x11E, MAX_COMMAND_SIZE); // TPM_PT_MAX_COMMAND_SIZE
        p.put(0x11F, MAX_COMMAND_SIZE); // TPM_PT_MAX_RESPONSE_SIZE
        p.put(0x120, 48); // TPM_PT_MAX_DIGEST
        p.put(0x121, 4096); // TPM_PT_MAX_OBJECT_CONTEXT
        p.put(0x122, 1024); // TPM_PT_MAX_SESSION_CONTEXT
        p.put(0x123, 1); // TPM_PT_PS_FAMILY_INDICATOR: PC Client
        p.put(0x124, 0);
        p.put(0x125, 0x105);
        p.put(0x126, 0);
        p.put(0x127, 0);
        p.put(0x128, 0); // TPM_PT_SPLIT_MAX
        p.put(0x129, TpmEngine.COMMANDS.size()); // TPM_PT_TOTAL_COMMANDS
        p.put(0x12A, TpmEngine.COMMANDS.size()); // TPM_PT_LIBRARY_COMMANDS
        p.put(0x12B, 0); // TPM_PT_VENDOR_COMMANDS
        p.put(0x12C, NV_BUFFER_MAX); // TPM_PT_NV_BUFFER_MAX
        p.put(0x12D, 0); // TPM_PT_MODES
        return p;
    }

    static byte[] answer(TpmEngine tpm, int capability, int property, int count) {
        TpmWriter data = new TpmWriter().u32(capability);
        boolean more;
        switch (capability) {
            case TPM_CAP_ALGS -> {
                List<Integer> algs = ALGS.keySet().stream().filter(a -> a >= property).toList();
                int n = Math.min(count, algs.size());
                more = n < algs.size();
                data.u32(n);
                for (int i = 0; i < n; i++) {
                    data.u16(algs.get(i)).u32(ALGS.get(algs.get(i)));
                }
            }
            case TPM_CAP_HANDLES -> {
                List<Integer> handles = tpm.handlesFrom(property);
                int n = Math.min(count, handles.size());
                more = n < handles.size();
                data.u32(n);
                for (int i = 0; i < n; i++) {
                    data.u32(handles.get(i));
                }
            }
            case TPM_CAP_COMMANDS -> {
                List<TpmCc> cmds = TpmEngine.COMMANDS.keySet().stream().filter(c -> c.value() >= property).sorted(
                        (a, b) -> Integer.compare(a.value(), b.value())).toList();
                int n = Math.min(count, cmds.size());
                more = n < cmds.size();
                data.u32(n);
                for (int i = 0; i < n; i++) {
                    TpmEngine.Command c = TpmEngine.COMMANDS.get(cmds.get(i));
                    int attrs = cmds.get(i).value() & 0xFFFF | (c.handles() & 7) << 25 | (c.outHandle() ? 1 << 28 : 0);
                    if (cmds.get(i) == TpmCc.FlushContext) {
                        attrs |= 1 << 24; // flushed
                    }
                    data.u32(attrs);
                }
            }
            case TPM_CAP_PP_COMMANDS, TPM_CAP_AUDIT_COMMANDS -> {
                more = false;
                data.u32(0);
            }
            case TPM_CAP_PCRS -> {
                more = false;
                tpm.allocatedBanks().write(data);
            }
            case TPM_CAP_TPM_PROPERTIES -> {
                Map<Integer, Integer> all = new TreeMap<>(fixedProperties());
                all.putAll(tpm.variableProperties());
                List<Integer> keys = all.keySet().stream().filter(k -> Integer.compareUnsigned(k, property) >= 0)
                        .toList();
                int n = Math.min(count, keys.size());
                more = n < keys.size();
                data.u32(n);
                for (int i = 0; i < n; i++) {
                    data.u32(keys.get(i)).u32(all.get(keys.get(i)));
                }
            }
            case TPM_CAP_PCR_PROPERTIES -> {
                more = false;
                data.u32(0);
            }
            case TPM_CAP_ECC_CURVES -> {
                List<Integer> curves = List.of(3, 4).stream().filter(c -> c >= property).toList();
                int n = Math.min(count, curves.size());
                more = n < curves.size();
                data.u32(n);
                for (int i = 0; i < n; i++) {
                    data.u16(curves.get(i));
                }
            }
            default -> throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1), String.format(
                    "TPM_CAP is 0x%08x, expected a capability from TPM_CAP_ALGS to TPM_CAP_ECC_CURVES", capability));
        }
        return new TpmWriter().u8(more ? 1 : 0).bytes(data.toByteArray()).toByteArray();
    }
}
