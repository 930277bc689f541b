package io.teebox.amd.sp;

/** The two ASID ranges of CPUID 0x8000_001F: SEV-ES/SNP ASIDs 1..minSev-1 and SEV ASIDs minSev..max. */
public enum AsidPool {
    /** ASIDs for SEV-ES and SEV-SNP guests. */
    SEV_ES_SNP,
    /** ASIDs for plain SEV guests. */
    SEV
}
