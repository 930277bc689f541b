package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The TD event log in the CCEL format (ACPI CCEL table; canonical/tdx {@code tdeventlog.py}): the TCG crypto-agile
 * log. It opens with a TCG_PCR_EVENT whose event is the "Spec ID Event03" header naming SHA-384 (algorithm 0x000C,
 * 48-byte digests), followed by TCG_PCR_EVENT2 entries: {@code u32 MR index, u32 event type, u32 digest count,
 * {u16 algorithm, digest}..., u32 event size, event}. MR index 0 is MRTD and index i (1..4) is RTMR[i-1]. A verifier
 * replays it: starting from 48 zero bytes, {@code RTMR = SHA-384(RTMR || digest)} for each event of that register.
 */
public final class EventLog {

    /** TPM_ALG_SHA384. */
    public static final int ALG_SHA384 = 0x000C;
    /** EV_NO_ACTION. */
    public static final long EV_NO_ACTION = 0x3;
    /** EV_SEPARATOR. */
    public static final long EV_SEPARATOR = 0x4;
    /** EV_ACTION: an informative string; the digest is the hash of the string (teebox's type for a text extend). */
    public static final long EV_ACTION = 0x5;
    /** EV_EVENT_TAG. */
    public static final long EV_EVENT_TAG = 0x6;
    /**
     * EV_IPL: what a boot loader or OS measures; the digest is of the measured object, which the event data only
     * describes (teebox's type for an extend of a digest the guest gives).
     */
    public static final long EV_IPL = 0xD;
    /** EV_EFI_VARIABLE_DRIVER_CONFIG: the digest is of the whole UEFI_VARIABLE_DATA. */
    public static final long EV_EFI_VARIABLE_DRIVER_CONFIG = 0x8000_0001L;
    /** EV_EFI_VARIABLE_BOOT: the digest is of the VariableData member of UEFI_VARIABLE_DATA. */
    public static final long EV_EFI_VARIABLE_BOOT = 0x8000_0002L;
    /** EV_EFI_GPT_EVENT: the digest is of the UEFI_GPT_DATA. */
    public static final long EV_EFI_GPT_EVENT = 0x8000_0006L;
    /** EV_EFI_ACTION: an ASCII string; the digest is the hash of the string. */
    public static final long EV_EFI_ACTION = 0x8000_0007L;
    /** EV_EFI_VARIABLE_AUTHORITY: the digest is of the whole UEFI_VARIABLE_DATA. */
    public static final long EV_EFI_VARIABLE_AUTHORITY = 0x8000_00E0L;
    /** GRUB's EV_IPL prefixes: the digest is of the text after the prefix (without the terminating NUL). */
    private static final List<String> GRUB_PREFIXES = List.of("grub_cmd: ", "kernel_cmdline: ");
    /** The signature of the Spec ID event. */
    public static final String SPEC_ID_SIGNATURE = "Spec ID Event03";
    /** Spec ID event up to its digestSizes: signature, platformClass, versions, uintnSize, numberOfAlgorithms. */
    private static final int SPEC_ID_FIXED = 28;
    /** A TCG_PCR_EVENT2 with one SHA-384 digest, up to its event data. */
    private static final int EVENT2_FIXED = 4 + 4 + 4 + 2 + 48 + 4;

    /**
     * One measured event.
     *
     * @param mrIndex the CCEL MR index: 1..4 for RTMR0..3
     * @param eventType the TCG event type
     * @param digest the SHA-384 digest extended into the register (48 bytes)
     * @param data the event data (here: a UTF-8 description)
     */
    public record Event(int mrIndex, long eventType, byte[] digest, byte[] data) {
        /** Creates an event; arrays are copied. */
        public Event {
            if (mrIndex < 0) {
                throw new IllegalArgumentException("MR index must not be negative, got " + mrIndex);
            }
            if (Objects.requireNonNull(digest, "digest").length != TdMeasurement.DIGEST_SIZE) {
                throw new IllegalArgumentException("event digest is " + digest.length + " bytes, expected 48");
            }
            digest = digest.clone();
            data = Objects.requireNonNull(data, "data").clone();
        }

        /** @return the RTMR index (mrIndex - 1), or -1 for MRTD */
        public int rtmr() {
            return mrIndex - 1;
        }

        /** @return a copy of the digest */
        @Override
        public byte[] digest() {
            return digest.clone();
        }

        /** @return a copy of the event data */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** @return the event data as UTF-8 text */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Event e && e.mrIndex == mrIndex && e.eventType == eventType
                    && Arrays.equals(e.digest, digest) && Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(mrIndex, eventType, Arrays.hashCode(digest), Arrays.hashCode(data));
        }
    }

    private EventLog() {
    }

    /** @return the TCG_PCR_EVENT that opens the log, carrying the Spec ID Event03 header */
    public static byte[] specIdEvent() {
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        byte[] sig = new byte[16];
        byte[] s = SPEC_ID_SIGNATURE.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, sig, 0, s.length);
        ev.writeBytes(sig);
        ev.writeBytes(u32(0)); // platformClass
        ev.write(0); // specVersionMinor
        ev.write(2); // specVersionMajor
        ev.write(0); // specErrata
        ev.write(2); // uintnSize: 64-bit UINTN
        ev.writeBytes(u32(1)); // numberOfAlgorithms
        ev.writeBytes(u16(ALG_SHA384));
        ev.writeBytes(u16(TdMeasurement.DIGEST_SIZE));
        ev.write(0); // vendorInfoSize
        byte[] event = ev.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(u32(0));
        out.writeBytes(u32(EV_NO_ACTION));
        out.writeBytes(new byte[20]);
        out.writeBytes(u32(event.length));
        out.writeBytes(event);
        return out.toByteArray();
    }

    /**
     * @param events the events, in order
     * @return the log: the Spec ID event followed by one TCG_PCR_EVENT2 per event
     */
    public static byte[] encode(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(specIdEvent());
        for (Event e : events) {
            out.writeBytes(u32(e.mrIndex()));
            out.writeBytes(u32(e.eventType()));
            out.writeBytes(u32(1));
            out.writeBytes(u16(ALG_SHA384));
            out.writeBytes(e.digest);
            out.writeBytes(u32(e.data.length));
            out.writeBytes(e.data);
        }
        return out.toByteArray();
    }

    /**
     * Parses a log. It must open with the Spec ID event naming exactly SHA-384; it ends at its last byte or at an MR
     * index of 0xFFFFFFFF (unused CCEL space, which firmware fills with 0xFF). Every size field is checked against
     * the bytes left before anything is copied.
     *
     * @param log the log bytes
     * @return the events after the Spec ID event
     * @throws MalformedStructureException naming the event, its offset, the field and what was wrong
     */
    public static List<Event> parse(byte[] log) {
        Objects.requireNonNull(log, "log");
        if (log.length < 32) {
            throw bad("EventSize", "event log is " + log.length + " bytes, too short for its Spec ID event header "
                    + "(32 bytes)");
        }
        long specSize = LittleEndian.u32(log, 28);
        if (specSize > log.length - 32L) {
            throw bad("EventSize", "the Spec ID event says it is " + specSize + " bytes, only " + (log.length - 32)
                    + " follow its header");
        }
        if (LittleEndian.u32(log, 4) != EV_NO_ACTION || specSize < 16 || !SPEC_ID_SIGNATURE.equals(
                new String(log, 32, 15, StandardCharsets.US_ASCII)) || log[47] != 0) {
            throw bad("Signature", "event log does not open with an EV_NO_ACTION \"" + SPEC_ID_SIGNATURE
                    + "\" event");
        }
        int spec = 32;
        if (specSize < SPEC_ID_FIXED + 1) {
            throw bad("EventSize", "the Spec ID event is " + specSize + " bytes, at least " + (SPEC_ID_FIXED + 1)
                    + " are needed for its fixed fields and vendorInfoSize");
        }
        long algorithms = LittleEndian.u32(log, spec + 24);
        long fixed = SPEC_ID_FIXED + 4 * algorithms + 1;
        if (fixed > specSize) {
            throw bad("numberOfAlgorithms", "the Spec ID event lists " + algorithms + " algorithms, which do not fit "
                    + "its " + specSize + " bytes");
        }
        int vendorInfoSize = log[spec + (int) fixed - 1] & 0xFF;
        if (fixed + vendorInfoSize != specSize) {
            throw bad("vendorInfoSize", "the Spec ID event is " + specSize + " bytes, its " + algorithms
                    + " algorithms and " + vendorInfoSize + " bytes of vendor info make " + (fixed + vendorInfoSize));
        }
        if (algorithms != 1 || LittleEndian.u16(log, spec + SPEC_ID_FIXED) != ALG_SHA384
                || LittleEndian.u16(log, spec + SPEC_ID_FIXED + 2) != TdMeasurement.DIGEST_SIZE) {
            throw bad("digestSizes", "the Spec ID event lists " + algorithms + " algorithms, expected exactly SHA-384 "
                    + "(0x000C, 48 bytes)");
        }
        int pos = spec + (int) specSize;
        List<Event> out = new ArrayList<>();
        while (pos < log.length) {
            int n = out.size();
            if (log.length - pos < 4) {
                throw bad("PCRIndex", String.format("event log truncated: event %d at 0x%X has %d bytes left, too "
                        + "few for its MR index", n, pos, log.length - pos));
            }
            long mr = LittleEndian.u32(log, pos);
            if (mr == 0xFFFF_FFFFL) {
                break;
            }
            if (log.length - pos < EVENT2_FIXED) {
                throw bad("EventSize", String.format("event log truncated: event %d at 0x%X has %d bytes left, an "
                        + "SHA-384 event needs at least %d", n, pos, log.length - pos, EVENT2_FIXED));
            }
            if (mr > 4) {
                throw bad("PCRIndex", String.format("event %d at 0x%X names MR index %d, expected 0..4", n, pos, mr));
            }
            long type = LittleEndian.u32(log, pos + 4);
            long count = LittleEndian.u32(log, pos + 8);
            if (count != 1) {
                throw bad("digests.count", String.format("event %d at 0x%X has %d digests, expected 1 (SHA-384, the "
                        + "one algorithm of the Spec ID event)", n, pos, count));
            }
            int alg = LittleEndian.u16(log, pos + 12);
            if (alg != ALG_SHA384) {
                throw bad("hashAlg", String.format("event %d at 0x%X uses algorithm 0x%04X, expected 0x000C "
                        + "(SHA-384)", n, pos, alg));
            }
            long size = LittleEndian.u32(log, pos + 62);
            long left = log.length - (pos + (long) EVENT2_FIXED);
            if (size > left) {
                throw bad("EventSize", String.format("event %d at 0x%X says its data is %d bytes, only %d are left",
                        n, pos, size, left));
            }
            byte[] digest = Arrays.copyOfRange(log, pos + 14, pos + 62);
            byte[] data = Arrays.copyOfRange(log, pos + EVENT2_FIXED, pos + EVENT2_FIXED + (int) size);
            out.add(new Event((int) mr, type, digest, data));
            pos += EVENT2_FIXED + (int) size;
        }
        return out;
    }

    private static MalformedStructureException bad(String field, String message) {
        return new MalformedStructureException("CCEL event log", field, message);
    }

    /**
     * Replays events into the four RTMRs. EV_NO_ACTION events are informational and never extended (TCG PC Client
     * PFP); MR index 0 (MRTD) is not an RTMR.
     *
     * @param events the events
     * @return RTMR0..3 as the events extend them from zero
     */
    public static byte[][] replay(List<Event> events) {
        byte[][] rtmr = new byte[4][TdMeasurement.DIGEST_SIZE];
        for (Event e : events) {
            if (e.rtmr() >= 0 && e.rtmr() < 4 && e.eventType() != EV_NO_ACTION) {
                rtmr[e.rtmr()] = TdMeasurement.extendRtmr(rtmr[e.rtmr()], e.digest);
            }
        }
        return rtmr;
    }

    /**
     * What an event's digest must be when its type defines the digest over the event data itself, so a verifier can
     * check that the data shown is the data measured (TCG PC Client Platform Firmware Profile event types; GRUB's
     * EV_IPL convention). Checked against a genuine TDVF/shim/GRUB CCEL log:
     * <ul>
     * <li>EV_SEPARATOR, EV_ACTION, EV_EFI_ACTION, EV_EFI_VARIABLE_DRIVER_CONFIG, EV_EFI_VARIABLE_AUTHORITY,
     * EV_EFI_GPT_EVENT: SHA-384 of the event data (an EV_SEPARATOR may instead carry the digest of the error value
     * 00000001 with any data);</li>
     * <li>EV_EFI_VARIABLE_BOOT: SHA-384 of UEFI_VARIABLE_DATA.VariableData;</li>
     * <li>EV_IPL whose data starts with GRUB's "grub_cmd: " or "kernel_cmdline: ": SHA-384 of the text after the
     * prefix, without the terminating NUL.</li>
     * </ul>
     * Other types (firmware volumes, PE images, handoff tables, EV_PLATFORM_CONFIG_FLAGS, which TDVF uses for its
     * ACPI tables, other EV_IPL events) measure something the event only describes.
     *
     * @param e an event
     * @return the SHA-384 digests the event may carry (one or two), or an empty list if its type does not define the
     *         digest over its data
     * @throws MalformedStructureException if the data of a type with a defined structure does not have it
     */
    public static List<byte[]> definedDigests(Event e) {
        byte[] data = e.data;
        long t = e.eventType();
        if (t == EV_SEPARATOR) {
            return List.of(Digests.sha384(data), Digests.sha384(new byte[] {1, 0, 0, 0}));
        }
        if (t == EV_ACTION || t == EV_EFI_ACTION || t == EV_EFI_VARIABLE_DRIVER_CONFIG
                || t == EV_EFI_VARIABLE_AUTHORITY || t == EV_EFI_GPT_EVENT) {
            return List.of(Digests.sha384(data));
        }
        if (t == EV_EFI_VARIABLE_BOOT) {
            // UEFI_VARIABLE_DATA: VariableName GUID (16), UnicodeNameLength u64, VariableDataLength u64,
            // UnicodeName (2 per character), VariableData
            if (data.length < 32) {
                throw bad("UEFI_VARIABLE_DATA", "EV_EFI_VARIABLE_BOOT data is " + data.length + " bytes, a "
                        + "UEFI_VARIABLE_DATA has at least 32");
            }
            long nameLength = LittleEndian.u64(data, 16);
            long dataLength = LittleEndian.u64(data, 24);
            if (nameLength < 0 || dataLength < 0 || nameLength > (data.length - 32) / 2
                    || dataLength != data.length - 32 - 2 * nameLength) {
                throw bad("UEFI_VARIABLE_DATA", "EV_EFI_VARIABLE_BOOT data is " + data.length + " bytes, its "
                        + "UnicodeNameLength " + nameLength + " and VariableDataLength " + dataLength
                        + " do not add up to it");
            }
            return List.of(Digests.sha384(Arrays.copyOfRange(data, 32 + 2 * (int) nameLength, data.length)));
        }
        if (t == EV_IPL) {
            String text = new String(data, StandardCharsets.ISO_8859_1);
            for (String prefix : GRUB_PREFIXES) {
                if (text.startsWith(prefix)) {
                    int end = data.length > 0 && data[data.length - 1] == 0 ? data.length - 1 : data.length;
                    return List.of(Digests.sha384(Arrays.copyOfRange(data, prefix.length(), end)));
                }
            }
        }
        return List.of();
    }

    private static byte[] u16(int v) {
        byte[] b = new byte[2];
        LittleEndian.put16(b, 0, v);
        return b;
    }

    private static byte[] u32(long v) {
        byte[] b = new byte[4];
        LittleEndian.put32(b, 0, v);
        return b;
    }
}
