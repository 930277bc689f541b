package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * TCG_EfiStartupLocalityEvent (PFP section 10.4.5.3): an EV_NO_ACTION event on PCR 0 saying from which locality
 * TPM2_Startup was sent, which sets PCR 0's initial value to that locality in its last byte instead of all zeros.
 *
 * @param startupLocality 0 or 3 in practice
 */
public record StartupLocalityEvent(int startupLocality) {

    /** The struct name in messages. */
    public static final String STRUCT = "TCG_EfiStartupLocalityEvent";
    /** The 16-byte signature, "StartupLocality" and a NUL. */
    public static final byte[] SIGNATURE = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);
    /** Signature and the one locality byte. */
    public static final int SIZE = 17;

    /**
     * Checks the locality.
     *
     * @throws IllegalArgumentException if it does not fit a byte
     */
    public StartupLocalityEvent {
        if (startupLocality < 0 || startupLocality > 255) {
            throw new IllegalArgumentException(STRUCT + ".StartupLocality is " + startupLocality + ", expected 0..255");
        }
    }

    /**
     * Whether event data is a StartupLocality event (starts with its signature).
     *
     * @param data event data
     * @return true if it begins with "StartupLocality\0"
     */
    public static boolean isStartupLocality(byte[] data) {
        return data.length >= 16 && Arrays.equals(data, 0, 16, SIGNATURE, 0, 16);
    }

    /**
     * Parses the structure; it must fill {@code data} exactly.
     *
     * @param data event data
     * @return the event
     * @throws EventLogException if the signature is wrong or the size is not 17 bytes
     */
    public static StartupLocalityEvent parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        byte[] sig = r.bytes("Signature", 16);
        if (!Arrays.equals(sig, SIGNATURE)) {
            throw new EventLogException(STRUCT, "Signature", STRUCT + ".Signature is not \"StartupLocality\\0\"");
        }
        int locality = r.u8("StartupLocality");
        r.expectEnd("StartupLocality");
        return new StartupLocalityEvent(locality);
    }

    /**
     * Writes the structure.
     *
     * @return its 17 bytes
     */
    public byte[] write() {
        return new Writer().bytes(SIGNATURE).u8(startupLocality).toByteArray();
    }
}
