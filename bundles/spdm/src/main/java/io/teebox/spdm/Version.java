package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * VERSION: header (SPDMVersion 0x10), Reserved u8, VersionNumberEntryCount u8, then that many 16-bit entries
 * (Major 15:12, Minor 11:8, UpdateVersionNumber 7:4, Alpha 3:0).
 *
 * @param entries the version entries, e.g. 0x1000 and 0x1100
 */
public record Version(List<Integer> entries) {

    /** Copies the entries. */
    public Version {
        entries = List.copyOf(entries);
        Writer.fit("VersionNumberEntryCount", entries.size(), 8);
        entries.forEach(e -> Writer.fit("VersionNumberEntry", e, 16));
    }

    /** @return the bytes */
    public byte[] encode() {
        Writer w = new Writer().u8(Spdm.VERSION_10).u8(Spdm.VERSION).u16(0).u8(0).u8(entries.size());
        entries.forEach(w::u16);
        return w.toByteArray();
    }

    /**
     * Whether a version is offered.
     *
     * @param versionByte e.g. 0x11
     * @return true if an entry has that major and minor version
     */
    public boolean offers(int versionByte) {
        return entries.stream().anyMatch(e -> (e >>> 8) == versionByte);
    }

    /**
     * Parses a VERSION.
     *
     * @param b the bytes
     * @return the response
     * @throws MalformedStructureException if it is truncated, too long or the fixed fields are wrong
     */
    public static Version parse(byte[] b) {
        Reader r = new Reader("VERSION", b);
        int v = r.header(Spdm.VERSION);
        if (v != Spdm.VERSION_10) {
            throw new MalformedStructureException("VERSION", "SPDMVersion", "VERSION SPDMVersion is 0x"
                    + Integer.toHexString(v) + ", expected 0x10");
        }
        r.reserved("Param1/Param2", 2);
        r.reserved("Reserved", 1);
        int n = r.u8("VersionNumberEntryCount");
        List<Integer> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            e.add(r.u16("VersionNumberEntry[" + i + "]"));
        }
        r.end();
        return new Version(e);
    }
}
