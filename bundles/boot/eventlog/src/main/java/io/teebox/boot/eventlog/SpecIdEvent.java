package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TCG_EfiSpecIDEventStruct (PFP section 10.4.5.1), the event data of the first, SHA-1-format record of a
 * crypto-agile log: the "Spec ID Event03" signature, the platform class, the spec version and errata, the size of
 * UINTN, the digest size of every bank the records carry, and vendor information.
 *
 * @param platformClass 0 for a client platform, 1 for a server
 * @param specVersionMinor 0 for the TPM 2.0 profile
 * @param specVersionMajor 2 for the TPM 2.0 profile
 * @param specErrata the errata; edk2 writes 0 (TCG_EfiSpecIDEventStruct_SPEC_ERRATA_TPM2)
 * @param uintnSize 1 for a 32-bit UINTN, 2 for a 64-bit one
 * @param digestSizes the banks, in the order the firmware lists them
 * @param vendorInfo up to 255 bytes
 */
public record SpecIdEvent(long platformClass, int specVersionMinor, int specVersionMajor, int specErrata,
        int uintnSize, List<AlgorithmSize> digestSizes, byte[] vendorInfo) {

    /** The struct name in messages. */
    public static final String STRUCT = "TCG_EfiSpecIDEventStruct";
    /** The 16-byte signature, "Spec ID Event03" and a NUL. */
    public static final byte[] SIGNATURE = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    /** The fixed part before digestSizes: signature, platformClass, four version bytes, numberOfAlgorithms. */
    public static final int FIXED_SIZE = 16 + 4 + 4 + 4;

    /**
     * One TCG_EfiSpecIdEventAlgorithmSize entry.
     *
     * @param algorithmId the TPM_ALG_ID
     * @param digestSize the digest size in bytes
     */
    public record AlgorithmSize(int algorithmId, int digestSize) {
    }

    /**
     * Checks the fields and copies the arrays.
     *
     * @throws IllegalArgumentException if there is no bank, a bank appears twice, a known algorithm's size is wrong,
     *         or the vendor information is longer than 255 bytes
     */
    public SpecIdEvent {
        digestSizes = List.copyOf(digestSizes);
        vendorInfo = vendorInfo.clone();
        if (digestSizes.isEmpty()) {
            throw new IllegalArgumentException(STRUCT + ".numberOfAlgorithms is 0, expected at least 1");
        }
        Set<Integer> seen = new HashSet<>();
        for (AlgorithmSize a : digestSizes) {
            if (!seen.add(a.algorithmId())) {
                throw new IllegalArgumentException(String.format("%s lists algorithm 0x%04x twice", STRUCT,
                        a.algorithmId()));
            }
            Optional<HashAlgorithm> known = HashAlgorithm.of(a.algorithmId());
            if (known.isPresent() && known.get().digestSize() != a.digestSize()) {
                throw new IllegalArgumentException(String.format("%s gives %s a digestSize of %d, expected %d",
                        STRUCT, known.get(), a.digestSize(), known.get().digestSize()));
            }
        }
        if (vendorInfo.length > 255) {
            throw new IllegalArgumentException(STRUCT + ".vendorInfoSize is " + vendorInfo.length
                    + ", expected at most 255");
        }
    }

    /**
     * The Spec ID event edk2 writes on x64 for these banks: client platform class, version 2.0 errata 0, 64-bit
     * UINTN, no vendor information.
     *
     * @param banks the banks, in order
     * @return the event
     */
    public static SpecIdEvent forBanks(List<HashAlgorithm> banks) {
        return new SpecIdEvent(0, 0, 2, 0, 2,
                banks.stream().map(b -> new AlgorithmSize(b.algorithmId(), b.digestSize())).toList(), new byte[0]);
    }

    @Override
    public byte[] vendorInfo() {
        return vendorInfo.clone();
    }

    /**
     * The digest size this log declares for an algorithm.
     *
     * @param algorithmId the TPM_ALG_ID
     * @return the size, or empty if the log has no such bank
     */
    public Optional<Integer> digestSize(int algorithmId) {
        return digestSizes.stream().filter(a -> a.algorithmId() == algorithmId).map(AlgorithmSize::digestSize)
                .findFirst();
    }

    /**
     * Parses the structure; it must fill {@code data} exactly.
     *
     * @param data the event data of the first record
     * @return the event
     * @throws EventLogException if the signature is wrong, the data is truncated or has bytes after vendorInfo, there
     *         is no algorithm or a known algorithm has the wrong size
     */
    public static SpecIdEvent parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        byte[] sig = r.bytes("signature", 16);
        if (!Arrays.equals(sig, SIGNATURE)) {
            throw new EventLogException(STRUCT, "signature", STRUCT + ".signature is \""
                    + new String(sig, StandardCharsets.ISO_8859_1).replace("\0", "\\0") + "\", expected \"Spec ID Event03\\0\"");
        }
        long platformClass = r.u32("platformClass");
        int minor = r.u8("specVersionMinor");
        int major = r.u8("specVersionMajor");
        int errata = r.u8("specErrata");
        int uintn = r.u8("uintnSize");
        long n = r.u32("numberOfAlgorithms");
        if (n == 0 || n * 4 > r.remaining()) {
            throw new EventLogException(STRUCT, "numberOfAlgorithms", STRUCT + ".numberOfAlgorithms is " + n
                    + ", expected 1 to " + r.remaining() / 4 + " (the entries left in its " + data.length + " bytes)");
        }
        AlgorithmSize[] sizes = new AlgorithmSize[(int) n];
        for (int i = 0; i < n; i++) {
            sizes[i] = new AlgorithmSize(r.u16("digestSizes[" + i + "].algorithmId"),
                    r.u16("digestSizes[" + i + "].digestSize"));
        }
        int vendorSize = r.u8("vendorInfoSize");
        byte[] vendor = r.bytes("vendorInfo", vendorSize);
        r.expectEnd("vendorInfo");
        try {
            return new SpecIdEvent(platformClass, minor, major, errata, uintn, List.of(sizes), vendor);
        } catch (IllegalArgumentException e) {
            throw new EventLogException(STRUCT, "digestSizes", e.getMessage());
        }
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        Writer w = new Writer().bytes(SIGNATURE).u32(platformClass).u8(specVersionMinor).u8(specVersionMajor)
                .u8(specErrata).u8(uintnSize).u32(digestSizes.size());
        for (AlgorithmSize a : digestSizes) {
            w.u16(a.algorithmId()).u16(a.digestSize());
        }
        return w.u8(vendorInfo.length).bytes(vendorInfo).toByteArray();
    }

    /**
     * Whether event data is a Spec ID event (starts with its signature).
     *
     * @param data event data
     * @return true if it begins with "Spec ID Event03\0"
     */
    public static boolean isSpecIdEvent(byte[] data) {
        return data.length >= 16 && Arrays.equals(data, 0, 16, SIGNATURE, 0, 16);
    }
}
