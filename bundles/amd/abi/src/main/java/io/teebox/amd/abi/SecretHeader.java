package io.teebox.amd.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;

/**
 * The LAUNCH_SECRET packet header (0x34 bytes): FLAGS (bit 0 COMPRESSED), IV, MAC.
 *
 * @param flags the flags
 * @param iv 16 bytes
 * @param mac 32 bytes
 */
public record SecretHeader(long flags, byte[] iv, byte[] mac) {

    /** The named-offset layout. */
    public static final Layout LAYOUT = Layout.define("SEV_SECRET_HEADER", 0x34).u32("FLAGS", 0x00)
            .bytes("IV", 0x04, 16).bytes("MAC", 0x14, 32).build();

    /**
     * @param bytes 0x34 bytes
     * @return the header
     * @throws io.teebox.api.tee.TeeException INVALID_LENGTH for the wrong size
     */
    public static SecretHeader parse(byte[] bytes) {
        Struct s;
        try {
            s = LAYOUT.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_LENGTH.error(e.getMessage());
        }
        return new SecretHeader(s.u32("FLAGS"), s.bytes("IV"), s.bytes("MAC"));
    }

    /** @return the 0x34 bytes */
    public byte[] bytes() {
        return LAYOUT.create().set("FLAGS", flags).set("IV", iv).set("MAC", mac).toBytes();
    }
}
