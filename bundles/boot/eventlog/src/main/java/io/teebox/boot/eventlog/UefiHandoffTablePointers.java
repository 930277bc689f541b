package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * UEFI_HANDOFF_TABLE_POINTERS (PFP section 10.2.7), the event data of EV_EFI_HANDOFF_TABLES (PCR 1): NumberOfTables
 * and that many EFI_CONFIGURATION_TABLE entries (VendorGuid, VendorTable pointer, 64-bit). The record's digest is
 * of the tables themselves (e.g. SMBIOS).
 *
 * @param tableEntry the entries
 */
public record UefiHandoffTablePointers(List<ConfigurationTable> tableEntry) {

    /** The struct name in messages. */
    public static final String STRUCT = "UEFI_HANDOFF_TABLE_POINTERS";

    /**
     * One EFI_CONFIGURATION_TABLE.
     *
     * @param vendorGuid the table's GUID
     * @param vendorTable its address
     */
    public record ConfigurationTable(UUID vendorGuid, long vendorTable) {
    }

    /** Copies the list. */
    public UefiHandoffTablePointers {
        tableEntry = List.copyOf(tableEntry);
    }

    /**
     * Parses the structure; it must fill {@code data} exactly.
     *
     * @param data the event data
     * @return the structure
     * @throws EventLogException if NumberOfTables does not match the bytes
     */
    public static UefiHandoffTablePointers parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        long n = r.u64("NumberOfTables");
        if (n < 0 || n != r.remaining() / 24 || r.remaining() % 24 != 0) {
            throw new EventLogException(STRUCT, "NumberOfTables", STRUCT + ".NumberOfTables is "
                    + Long.toUnsignedString(n) + ", expected " + r.remaining() / 24 + " (24-byte entries in the "
                    + r.remaining() + " bytes left)");
        }
        List<ConfigurationTable> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(new ConfigurationTable(r.guid("TableEntry[" + i + "].VendorGuid"),
                    r.u64("TableEntry[" + i + "].VendorTable")));
        }
        return new UefiHandoffTablePointers(entries);
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        Writer w = new Writer().u64(tableEntry.size());
        for (ConfigurationTable t : tableEntry) {
            w.guid(t.vendorGuid()).u64(t.vendorTable());
        }
        return w.toByteArray();
    }
}
