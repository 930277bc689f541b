package io.teebox.api.appraisal;

/**
 * The trust tiers of attestation results (AR4SI): what a relying party may do with what was appraised. Ordered from
 * no claim to worst, so the overall tier is the greatest of its parts.
 */
public enum Tier {
    /** Nothing was or could be said. */
    NONE(0),
    /** The evidence supports this claim. */
    AFFIRMING(2),
    /** The evidence supports it with a caveat, for example an out-of-date TCB. */
    WARNING(32),
    /** The evidence contradicts it: do not trust. */
    CONTRAINDICATED(96);

    private final int code;

    Tier(int code) {
        this.code = code;
    }

    /** @return the generic AR4SI value of this tier (0, 2, 32, 96) */
    public int code() {
        return code;
    }

    /**
     * @param other another tier
     * @return the worse of the two
     */
    public Tier worst(Tier other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
