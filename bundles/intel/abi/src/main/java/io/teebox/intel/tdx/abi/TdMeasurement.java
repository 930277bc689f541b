package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.TdxMetadataSection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * MRTD and RTMR arithmetic (spec 4.2, 4.3; td-shim {@code tee_info_hash.rs}). MRTD is one running SHA-384 over
 * 128-byte blocks: TDH.MEM.PAGE.ADD feeds {@code "MEM.PAGE.ADD"} padded to 16 bytes, the page's GPA (u64 LE) and
 * zeros; TDH.MR.EXTEND feeds {@code "MR.EXTEND"} padded likewise with the chunk's GPA, then the 256 chunk bytes. A
 * 4 KiB page is extended in 16 chunks. An RTMR extend is {@code RTMR = SHA-384(RTMR || data48)}. Instances are not
 * thread-safe.
 */
public final class TdMeasurement {

    /** Size of MRTD, RTMRs and the data of an RTMR extend. */
    public static final int DIGEST_SIZE = 48;
    /** The block TDH.MEM.PAGE.ADD and TDH.MR.EXTEND feed into MRTD. */
    public static final int BLOCK_SIZE = 128;
    /** The chunk TDH.MR.EXTEND measures. */
    public static final int EXTEND_CHUNK = 256;
    /** A page. */
    public static final int PAGE_SIZE = 4096;

    private final MessageDigest md = Digests.newSha384();
    private long pagesAdded;
    private long chunksExtended;

    /** Starts an empty MRTD, as TDH.MNG.INIT does. */
    public TdMeasurement() {
    }

    /**
     * @param operation {@code "MEM.PAGE.ADD"} or {@code "MR.EXTEND"}
     * @param gpa the page or chunk GPA
     * @return the 128-byte block the operation feeds into MRTD
     */
    public static byte[] block(String operation, long gpa) {
        byte[] name = operation.getBytes(StandardCharsets.US_ASCII);
        if (name.length > 16) {
            throw new IllegalArgumentException("operation name '" + operation + "' is longer than 16 bytes");
        }
        byte[] b = new byte[BLOCK_SIZE];
        System.arraycopy(name, 0, b, 0, name.length);
        LittleEndian.put64(b, 16, gpa);
        return b;
    }

    /**
     * Measures TDH.MEM.PAGE.ADD of a page.
     *
     * @param gpa the page's GPA, 4 KiB aligned
     */
    public void pageAdd(long gpa) {
        md.update(block("MEM.PAGE.ADD", gpa));
        pagesAdded++;
    }

    /**
     * Measures one TDH.MR.EXTEND.
     *
     * @param gpa the chunk's GPA, 256-byte aligned
     * @param chunk the chunk's 256 plaintext bytes
     */
    public void extend(long gpa, byte[] chunk) {
        if (chunk.length != EXTEND_CHUNK) {
            throw new IllegalArgumentException("an MR.EXTEND chunk is 256 bytes, got " + chunk.length);
        }
        md.update(block("MR.EXTEND", gpa));
        md.update(chunk);
        chunksExtended++;
    }

    /**
     * Measures a page added and extended: TDH.MEM.PAGE.ADD then 16 TDH.MR.EXTENDs, as KVM and td-shim do.
     *
     * @param gpa the page's GPA
     * @param page the page's 4096 plaintext bytes
     */
    public void addAndExtend(long gpa, byte[] page) {
        pageAdd(gpa);
        for (int c = 0; c < PAGE_SIZE; c += EXTEND_CHUNK) {
            byte[] chunk = new byte[EXTEND_CHUNK];
            System.arraycopy(page, c, chunk, 0, EXTEND_CHUNK);
            extend(gpa + c, chunk);
        }
    }

    /** @return the number of pages added so far */
    public long pagesAdded() {
        return pagesAdded;
    }

    /** @return the number of 256-byte chunks extended so far */
    public long chunksExtended() {
        return chunksExtended;
    }

    /**
     * Finalizes MRTD, as TDH.MR.FINALIZE does; the instance cannot be used afterwards.
     *
     * @return MRTD (48 bytes)
     */
    public byte[] finish() {
        return md.digest();
    }

    /**
     * Computes the MRTD of a TD built from a firmware image's TDVF metadata: each section in order, every page
     * added unless the section has the PAGE.AUG attribute, and extended when it has the MR.EXTEND attribute.
     *
     * @param image the firmware
     * @return MRTD (48 bytes)
     * @throws IllegalArgumentException if the image has no TDX metadata
     */
    public static byte[] mrtd(OvmfImage image) {
        Objects.requireNonNull(image, "image");
        if (image.tdxMetadata().isEmpty()) {
            throw new IllegalArgumentException("the firmware has no TDX metadata (TDVF descriptor)");
        }
        byte[] file = image.bytes();
        TdMeasurement m = new TdMeasurement();
        for (TdxMetadataSection s : image.tdxMetadata()) {
            if (s.pageAug()) {
                continue;
            }
            // page by page: a section's memory may be larger than any array (raw data is zero-padded to it)
            for (long p = 0; p < s.memoryDataSize(); p += PAGE_SIZE) {
                if (s.extendMr()) {
                    byte[] page = new byte[PAGE_SIZE];
                    if (p < s.rawDataSize()) {
                        System.arraycopy(file, Math.toIntExact(s.dataOffset() + p), page, 0,
                                (int) Math.min(PAGE_SIZE, s.rawDataSize() - p));
                    }
                    m.addAndExtend(s.memoryAddress() + p, page);
                } else {
                    m.pageAdd(s.memoryAddress() + p);
                }
            }
        }
        return m.finish();
    }

    /**
     * One RTMR extend.
     *
     * @param rtmr the register's value (48 bytes)
     * @param data48 the extended value (48 bytes)
     * @return SHA-384(rtmr || data48)
     */
    public static byte[] extendRtmr(byte[] rtmr, byte[] data48) {
        if (rtmr.length != DIGEST_SIZE || data48.length != DIGEST_SIZE) {
            throw new IllegalArgumentException("RTMR extend takes a 48-byte register and 48 bytes of data, got "
                    + rtmr.length + " and " + data48.length);
        }
        return Digests.sha384(rtmr, data48);
    }
}
