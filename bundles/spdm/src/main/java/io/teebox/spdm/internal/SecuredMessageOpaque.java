package io.teebox.spdm.internal;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * The DSP0277 secured-message version negotiation carried in KEY_EXCHANGE / KEY_EXCHANGE_RSP OpaqueData (libspdm
 * {@code industry_standard/spdm_secured_message.h}): a general opaque data table header {spec_id u32 = 0x444D5446
 * "DMTF", opaque_version u8 = 1, total_elements u8, reserved u16}, then per element {id u8 = 0 (DMTF), vendor_len
 * u8 = 0, opaque_element_data_len u16, sm_data_version u8 = 1, sm_data_id u8 (1 supported versions: version_count u8
 * and the versions; 0 version selection: the selected version u16), padding to 4 bytes}.
 */
public final class SecuredMessageOpaque {

    /** spec_id. */
    public static final int SPEC_ID = 0x444D5446;
    /** Secured Messages 1.0 as an spdm_version_number_t. */
    public static final int VERSION_1_0 = 0x1000;

    private SecuredMessageOpaque() {
    }

    private static byte[] table(byte[] element) {
        Writer w = new Writer().u32(SPEC_ID).u8(1).u8(1).u16(0).u8(0).u8(0).u16(element.length).bytes(element);
        return w.zeros((4 - (4 + element.length) % 4) % 4).toByteArray();
    }

    /** @return the requester's list: secured messages 1.0 */
    public static byte[] supportedVersions() {
        return table(new Writer().u8(1).u8(1).u8(1).u16(VERSION_1_0).toByteArray());
    }

    /** @return the responder's selection: secured messages 1.0 */
    public static byte[] versionSelection() {
        return table(new Writer().u8(1).u8(0).u16(VERSION_1_0).toByteArray());
    }

    /**
     * Reads the one element of an opaque data table.
     *
     * @param opaque the OpaqueData
     * @param smDataId 1 for a supported version list, 0 for a selection
     * @return the versions listed (or the one selected)
     * @throws MalformedStructureException if it is not such a table
     */
    public static int[] versions(byte[] opaque, int smDataId) {
        String s = "SECURED_MESSAGE_OPAQUE_DATA";
        Reader r = new Reader(s, opaque);
        int spec = r.u32("spec_id");
        int version = r.u8("opaque_version");
        int elements = r.u8("total_elements");
        r.reserved("reserved", 2);
        if (spec != SPEC_ID || version != 1 || elements != 1) {
            throw new MalformedStructureException(s, "spec_id", s + " has spec_id 0x" + Integer.toHexString(spec)
                    + ", opaque_version " + version + ", total_elements " + elements + "; expected 0x444d5446, 1, 1");
        }
        int id = r.u8("id");
        int vendorLen = r.u8("vendor_len");
        r.bytes("vendor_id", vendorLen);
        int len = r.u16("opaque_element_data_len");
        Reader e = new Reader(s, r.bytes("opaque_element_data", len));
        r.reserved("align_padding", r.remaining());
        int smVersion = e.u8("sm_data_version");
        int smId = e.u8("sm_data_id");
        if (id != 0 || smVersion != 1 || smId != smDataId) {
            throw new MalformedStructureException(s, "sm_data_id", s + " element has id " + id + ", sm_data_version "
                    + smVersion + ", sm_data_id " + smId + "; expected 0, 1, " + smDataId);
        }
        int[] out;
        if (smDataId == 1) {
            out = new int[e.u8("version_count")];
            for (int i = 0; i < out.length; i++) {
                out[i] = e.u16("versions_list[" + i + "]");
            }
        } else {
            out = new int[] {e.u16("selected_version")};
        }
        e.end();
        return out;
    }
}
