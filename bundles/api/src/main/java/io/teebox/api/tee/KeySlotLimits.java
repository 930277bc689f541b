package io.teebox.api.tee;

/**
 * The key slots a backend can hand out: ASIDs for AMD, private HKIDs for TDX.
 *
 * @param slotName what the vendor calls a slot, for example {@code "ASID"}
 * @param first the first usable slot
 * @param last the last usable slot (inclusive)
 * @param inUse how many slots of this range are allocated now
 */
public record KeySlotLimits(String slotName, int first, int last, int inUse) {

    /** @return the number of slots in the range */
    public int capacity() {
        return last < first ? 0 : last - first + 1;
    }

    @Override
    public String toString() {
        return capacity() == 0
                ? slotName + " none"
                : String.format("%s %d..%d (%d of %d in use)", slotName, first, last, inUse, capacity());
    }
}
