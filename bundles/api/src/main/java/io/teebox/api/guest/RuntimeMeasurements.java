package io.teebox.api.guest;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.Bytes;

/**
 * A guest's runtime measurement registers and their event log: TDX's four RTMRs, a vTPM's PCRs, Arm CCA's REMs.
 * Extending folds a digest into a register as the hardware does ({@code R = H(R || digest)}) and logs the event.
 */
@ProviderType
public interface RuntimeMeasurements {

    /** Registers of a TEE that has none. */
    RuntimeMeasurements NONE = new RuntimeMeasurements() {
        @Override
        public String kind() {
            return "";
        }

        @Override
        public int count() {
            return 0;
        }

        @Override
        public Bytes read(int index) {
            throw new IllegalArgumentException("this TEE has no runtime measurement registers");
        }

        @Override
        public Bytes extend(int index, Bytes digest, EventRecord event) {
            throw new IllegalArgumentException("this TEE has no runtime measurement registers");
        }

        @Override
        public List<EventRecord> log() {
            return List.of();
        }
    };

    /** @return what the vendor calls the registers, for example {@code "RTMR"} */
    String kind();

    /** @return how many registers there are */
    int count();

    /**
     * @param index 0..count-1
     * @return the register's value
     * @throws IllegalArgumentException for an index out of range, naming it
     */
    Bytes read(int index);

    /**
     * @param index 0..count-1
     * @param digest the digest to fold in, of the register's size
     * @param event the event to log, or null to log none
     * @return the register's new value
     * @throws IllegalArgumentException for an index out of range or a digest of the wrong size
     */
    Bytes extend(int index, Bytes digest, EventRecord event);

    /** @return the events logged so far, oldest first */
    List<EventRecord> log();
}
