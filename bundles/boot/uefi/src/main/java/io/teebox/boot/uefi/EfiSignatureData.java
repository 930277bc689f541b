package io.teebox.boot.uefi;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * One EFI_SIGNATURE_DATA (UEFI 2.10, 32.4.1): {@code SignatureOwner} (EFI_GUID, who enrolled it) and
 * {@code SignatureData} (a DER certificate, a hash...), {@code SignatureSize - 16} bytes.
 *
 * @param signatureOwner the owner GUID
 * @param signatureData the data
 */
public record EfiSignatureData(UUID signatureOwner, byte[] signatureData) {

    /** The size of SignatureOwner. */
    public static final int OWNER_SIZE = 16;

    /**
     * Copies the data.
     */
    public EfiSignatureData {
        Objects.requireNonNull(signatureOwner, "signatureOwner");
        signatureData = Objects.requireNonNull(signatureData, "signatureData").clone();
    }

    /**
     * The data.
     *
     * @return a copy of SignatureData
     */
    @Override
    public byte[] signatureData() {
        return signatureData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EfiSignatureData d && d.signatureOwner.equals(signatureOwner)
                && Arrays.equals(d.signatureData, signatureData);
    }

    @Override
    public int hashCode() {
        return 31 * signatureOwner.hashCode() + Arrays.hashCode(signatureData);
    }

    @Override
    public String toString() {
        return "EFI_SIGNATURE_DATA{SignatureOwner=" + signatureOwner + ", " + signatureData.length + " bytes}";
    }
}
