package io.teebox.tpm.abi;

/**
 * The header of every TPM 2.0 response (Part 1, 18.2): tag, responseSize, responseCode.
 *
 * @param tag NO_SESSIONS or SESSIONS (RSP_COMMAND for a TPM 1.2 style tag error)
 * @param responseSize the size of the whole response in bytes
 * @param responseCode the TPM_RC, with a handle, session or parameter number where there is one
 */
public record ResponseHeader(TpmSt tag, int responseSize, int responseCode) {

    /** The header's size. */
    public static final int SIZE = 10;

    /**
     * Parses a response's header and checks it against the buffer.
     *
     * @param response the whole response
     * @return the header
     * @throws TpmException with TPM_RC_INSUFFICIENT if shorter than a header, TPM_RC_SIZE if responseSize is not the
     *         buffer's size, TPM_RC_TAG for a bad tag
     */
    public static ResponseHeader parse(byte[] response) {
        TpmReader in = new TpmReader(response);
        TpmSt tag = TpmSt.fromValue(in.u16("response tag"));
        int size = in.u32("responseSize");
        int rc = in.u32("responseCode");
        if (size != response.length) {
            throw new TpmException(TpmRc.SIZE, "responseSize is " + Integer.toUnsignedString(size)
                    + ", the response is " + response.length + " bytes");
        }
        return new ResponseHeader(tag, size, rc);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(tag.value()).u32(responseSize).u32(responseCode);
    }

    /**
     * A response that is only a header with an error code, as a TPM answers a failing command.
     *
     * @param rc the response code
     * @return the 10 bytes
     */
    public static byte[] error(int rc) {
        TpmWriter w = new TpmWriter();
        new ResponseHeader(TpmSt.NO_SESSIONS, SIZE, rc).write(w);
        return w.toByteArray();
    }
}
