package io.teebox.api.launch;

/**
 * A secret wrapped by the guest owner for injection at launch, opaque to the host.
 *
 * @param guestPhysicalAddress where in guest memory the firmware writes the plaintext
 * @param header the vendor header (SEV: FLAGS, IV, MAC; 0x34 bytes)
 * @param payload the encrypted secret
 */
public record SecretPacket(long guestPhysicalAddress, byte[] header, byte[] payload) {

    /** Creates a packet; arrays are copied. */
    public SecretPacket {
        header = header.clone();
        payload = payload.clone();
    }

    /** @return a copy of the header */
    @Override
    public byte[] header() {
        return header.clone();
    }

    /** @return a copy of the payload */
    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
