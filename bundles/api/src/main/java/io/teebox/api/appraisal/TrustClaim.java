package io.teebox.api.appraisal;

import java.util.Locale;

/** The claims of the AR4SI trustworthiness vector, by their EAR names. */
public enum TrustClaim {
    /** The attester is the instance it claims to be (its identity, the freshness of its evidence). */
    INSTANCE_IDENTITY("instance-identity"),
    /** Its configuration (policy, debug, TCB settings) is acceptable. */
    CONFIGURATION("configuration"),
    /** The code it runs (launch measurement, runtime measurements) is the expected code. */
    EXECUTABLES("executables"),
    /** Its file system is the expected one. */
    FILE_SYSTEM("file-system"),
    /** It runs on genuine, up-to-date hardware (vendor-signed evidence, firmware TCB). */
    HARDWARE("hardware"),
    /** Its memory is opaque to the host. */
    RUNTIME_OPAQUE("runtime-opaque"),
    /** Its storage is opaque to the host. */
    STORAGE_OPAQUE("storage-opaque"),
    /** The data it sources is trustworthy. */
    SOURCED_DATA("sourced-data");

    private final String earName;

    TrustClaim(String earName) {
        this.earName = earName;
    }

    /** @return the claim's name in EAR, for example {@code "instance-identity"} */
    public String earName() {
        return earName;
    }

    /**
     * The claim a check's outcome bears on, by the check's name, for verifiers that do not say: signatures,
     * chains and TCBs bear on the hardware, measurements on the executables, report data and chip identity on the
     * instance, everything else on the configuration.
     *
     * @param check a check name, for example {@code "signature"} or {@code "measurement"}
     * @return the claim
     */
    public static TrustClaim forCheck(String check) {
        String c = check.toLowerCase(Locale.ROOT);
        if (Names.HARDWARE.matcher(c).matches()) {
            return HARDWARE;
        }
        if (Names.EXECUTABLES.matcher(c).matches()) {
            return EXECUTABLES;
        }
        if (Names.INSTANCE_IDENTITY.matcher(c).matches()) {
            return INSTANCE_IDENTITY;
        }
        return CONFIGURATION;
    }

    /** The words of check names, compiled once (every appraisal classifies each of its checks). */
    private static final class Names {
        static final java.util.regex.Pattern HARDWARE = java.util.regex.Pattern.compile(".*(signature|chain|crl|"
                + "revocation|certificate|collateral|qe_|qe-|tcb|product|mrseam|key_info|signing).*");
        static final java.util.regex.Pattern EXECUTABLES = java.util.regex.Pattern.compile(".*(measurement|mrtd|rtmr|"
                + "event|id_key|author_key|image|family|digest|host_data).*");
        static final java.util.regex.Pattern INSTANCE_IDENTITY = java.util.regex.Pattern.compile(".*(report_data|nonce|"
                + "mnonce|chip|hwid|ppid|freshness).*");
    }
}
