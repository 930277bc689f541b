package io.teebox.amd.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The certificate table of an SNP extended report: 24-byte entries {GUID[16] (RFC 4122 byte order), offset u32,
 * length u32} ended by an all-zero entry, then the certificates; offsets count from the start of the table.
 */
public final class SnpCertTable {

    /** ARK. */
    public static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");
    /** ASK (also ASVK). */
    public static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    /** VCEK. */
    public static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
    /** VLEK. */
    public static final UUID VLEK = UUID.fromString("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
    private static final int ENTRY = 24;

    private SnpCertTable() {
    }

    /** @return the table followed by the certificates, in the map's order */
    public static byte[] build(Map<UUID, byte[]> certificates) {
        int header = ENTRY * (certificates.size() + 1);
        int total = header + certificates.values().stream().mapToInt(c -> c.length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        int offset = header;
        for (Map.Entry<UUID, byte[]> e : certificates.entrySet()) {
            b.order(ByteOrder.BIG_ENDIAN).putLong(e.getKey().getMostSignificantBits())
                    .putLong(e.getKey().getLeastSignificantBits()).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(offset).putInt(e.getValue().length);
            offset += e.getValue().length;
        }
        b.position(header);
        certificates.values().forEach(b::put);
        return b.array();
    }

    /**
     * @param table a certificate table with its certificates
     * @return the certificates by GUID
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static Map<UUID, byte[]> parse(byte[] table) {
        Map<UUID, byte[]> out = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(table);
        for (int i = 0;; i++) {
            if ((i + 1) * ENTRY > table.length) {
                throw new IllegalArgumentException("certificate table has no all-zero terminating entry within "
                        + table.length + " bytes");
            }
            b.position(i * ENTRY).order(ByteOrder.BIG_ENDIAN);
            UUID guid = new UUID(b.getLong(), b.getLong());
            b.order(ByteOrder.LITTLE_ENDIAN);
            long offset = b.getInt() & 0xFFFF_FFFFL;
            long length = b.getInt() & 0xFFFF_FFFFL;
            if (guid.getMostSignificantBits() == 0 && guid.getLeastSignificantBits() == 0 && offset == 0
                    && length == 0) {
                return out;
            }
            long tableEnd = (long) (i + 2) * ENTRY;
            if (offset < tableEnd || offset + length > table.length) {
                throw new IllegalArgumentException(String.format("certificate table entry %d (%s): offset %d length %d "
                        + "lies outside the %d-byte buffer or inside the table", i, guid, offset, length,
                        table.length));
            }
            out.put(guid, java.util.Arrays.copyOfRange(table, (int) offset, (int) (offset + length)));
        }
    }
}
