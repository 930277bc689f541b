package io.teebox.boot.uefi;

import java.util.UUID;

/** The GUIDs of UEFI Secure Boot (UEFI 2.10, sections 3.3 and 32.4). */
public final class EfiGuids {

    private EfiGuids() {
    }

    /** EFI_GLOBAL_VARIABLE: the vendor GUID of PK, KEK and SecureBoot. */
    public static final UUID EFI_GLOBAL_VARIABLE = UUID.fromString("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    /** EFI_IMAGE_SECURITY_DATABASE_GUID: the vendor GUID of db and dbx. */
    public static final UUID EFI_IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
    /** EFI_CERT_X509_GUID: a signature list of DER X.509 certificates. */
    public static final UUID EFI_CERT_X509 = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    /** EFI_CERT_SHA256_GUID: a signature list of SHA-256 image hashes. */
    public static final UUID EFI_CERT_SHA256 = UUID.fromString("c1c41626-504c-4092-aca9-41f936934328");
}
