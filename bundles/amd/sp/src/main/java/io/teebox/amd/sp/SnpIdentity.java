package io.teebox.amd.sp;

import java.util.Arrays;

/**
 * What SNP_LAUNCH_FINISH takes from the guest owner's ID block into the guest context, and reports carry.
 *
 * @param familyId FAMILY_ID (16 bytes)
 * @param imageId IMAGE_ID (16 bytes)
 * @param guestSvn GUEST_SVN
 * @param idKeyDigest SHA-384 of the ID key (48 bytes)
 * @param authorKeyDigest SHA-384 of the author key, or zeros (48 bytes)
 * @param authorKeyEn whether an author key signed the ID key
 */
public record SnpIdentity(byte[] familyId, byte[] imageId, long guestSvn, byte[] idKeyDigest, byte[] authorKeyDigest,
        boolean authorKeyEn) {

    /** A launch without an ID block: zeros. */
    public static final SnpIdentity NONE = new SnpIdentity(new byte[16], new byte[16], 0, new byte[48], new byte[48],
            false);

    /** Copies the arrays and checks their sizes. */
    public SnpIdentity {
        familyId = sized("FAMILY_ID", familyId, 16);
        imageId = sized("IMAGE_ID", imageId, 16);
        idKeyDigest = sized("ID_KEY_DIGEST", idKeyDigest, 48);
        authorKeyDigest = sized("AUTHOR_KEY_DIGEST", authorKeyDigest, 48);
    }

    private static byte[] sized(String field, byte[] value, int length) {
        if (value.length != length) {
            throw new IllegalArgumentException(field + " is " + value.length + " bytes, expected " + length);
        }
        return value.clone();
    }

    /** @return a copy of FAMILY_ID */
    @Override
    public byte[] familyId() {
        return familyId.clone();
    }

    /** @return a copy of IMAGE_ID */
    @Override
    public byte[] imageId() {
        return imageId.clone();
    }

    /** @return a copy of ID_KEY_DIGEST */
    @Override
    public byte[] idKeyDigest() {
        return idKeyDigest.clone();
    }

    /** @return a copy of AUTHOR_KEY_DIGEST */
    @Override
    public byte[] authorKeyDigest() {
        return authorKeyDigest.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnpIdentity i && Arrays.equals(familyId, i.familyId) && Arrays.equals(imageId, i.imageId)
                && guestSvn == i.guestSvn && Arrays.equals(idKeyDigest, i.idKeyDigest)
                && Arrays.equals(authorKeyDigest, i.authorKeyDigest) && authorKeyEn == i.authorKeyEn;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(idKeyDigest) * 31 + Long.hashCode(guestSvn);
    }
}
