package io.teebox.api.appraisal;

import java.util.Objects;

/**
 * One check a verifier made, passed or not.
 *
 * @param check what was checked, for example {@code "signature"}, {@code "chain"} or {@code "measurement"}
 * @param claim the trustworthiness claim its outcome bears on
 * @param tier {@link Tier#AFFIRMING} if it passed, otherwise how bad the failure is
 * @param reason what was found and what was expected (or, for a pass, what was confirmed)
 */
public record Check(String check, TrustClaim claim, Tier tier, String reason) {

    /** Creates a check. */
    public Check {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * A failed check that contraindicates trust, bearing on the claim {@link TrustClaim#forCheck} names.
     *
     * @param check what was checked
     * @param reason what was found and what was expected
     */
    public Check(String check, String reason) {
        this(check, TrustClaim.forCheck(check), Tier.CONTRAINDICATED, reason);
    }

    /**
     * @param check what was checked
     * @param reason what was confirmed
     * @return a passed check
     */
    public static Check passed(String check, String reason) {
        return new Check(check, TrustClaim.forCheck(check), Tier.AFFIRMING, reason);
    }

    /**
     * @param check what was checked
     * @param reason the caveat
     * @return a check that passed with a warning
     */
    public static Check warning(String check, String reason) {
        return new Check(check, TrustClaim.forCheck(check), Tier.WARNING, reason);
    }

    /** @return true if the check passed (possibly with a warning) */
    public boolean passed() {
        return tier == Tier.AFFIRMING || tier == Tier.WARNING;
    }

    @Override
    public String toString() {
        return check + ": " + reason;
    }
}
