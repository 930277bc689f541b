package io.teebox.boot.chain.internal;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.util.Arrays;

/**
 * TCG_PCClientTaggedEvent (PFP 10.4.2), the event data of EV_EVENT_TAG: taggedEventID (u32), taggedEventDataSize
 * (u32), taggedEventData. The Linux EFI stub logs the initrd it loads through LoadFile2 with ID 0x8F3B22ED and the
 * data "Linux initrd" (NUL included).
 *
 * @param taggedEventId the ID
 * @param taggedEventData the data
 */
public record TaggedEvent(long taggedEventId, byte[] taggedEventData) {

    /** INITRD_EVENT_TAG_ID of the Linux EFI stub. */
    public static final long LINUX_INITRD = 0x8F3B22EDL;
    private static final String STRUCT = "TCG_PCClientTaggedEvent";

    /** Copies the data. */
    public TaggedEvent {
        taggedEventData = taggedEventData.clone();
    }

    @Override
    public byte[] taggedEventData() {
        return taggedEventData.clone();
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        byte[] b = new byte[8 + taggedEventData.length];
        LittleEndian.put32(b, 0, taggedEventId);
        LittleEndian.put32(b, 4, taggedEventData.length);
        System.arraycopy(taggedEventData, 0, b, 8, taggedEventData.length);
        return b;
    }

    /**
     * Parses the structure, which must fill {@code data}.
     *
     * @param data the event data
     * @return the structure
     * @throws MalformedStructureException if it is truncated or taggedEventDataSize differs from the bytes left
     */
    public static TaggedEvent parse(byte[] data) {
        if (data.length < 8 || LittleEndian.u32(data, 4) != data.length - 8) {
            throw new MalformedStructureException(STRUCT, "taggedEventDataSize", String.format(
                    "%s is %d bytes, expected 8 plus taggedEventDataSize %d", STRUCT, data.length,
                    data.length < 8 ? -1 : LittleEndian.u32(data, 4)));
        }
        return new TaggedEvent(LittleEndian.u32(data, 0), Arrays.copyOfRange(data, 8, data.length));
    }
}
