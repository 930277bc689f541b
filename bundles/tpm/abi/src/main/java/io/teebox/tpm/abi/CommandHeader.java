package io.teebox.tpm.abi;

/**
 * The header of every TPM 2.0 command (Part 1, 18.2): tag, commandSize (the whole command), commandCode.
 *
 * @param tag NO_SESSIONS or SESSIONS
 * @param commandSize the size of the whole command in bytes
 * @param commandCode the TPM_CC, kept as a number so that unknown codes can be answered
 */
public record CommandHeader(TpmSt tag, int commandSize, int commandCode) {

    /** The header's size. */
    public static final int SIZE = 10;

    /**
     * Parses a command's header and checks it against the buffer.
     *
     * @param command the whole command
     * @return the header
     * @throws TpmException with TPM_RC_INSUFFICIENT if shorter than a header, TPM_RC_BAD_TAG for a bad
     *         tag, TPM_RC_COMMAND_SIZE if commandSize is not the buffer's size
     */
    public static CommandHeader parse(byte[] command) {
        TpmReader in = new TpmReader(command);
        int t = in.u16("command tag");
        int size = in.u32("commandSize");
        int cc = in.u32("commandCode");
        if (t != TpmSt.NO_SESSIONS.value() && t != TpmSt.SESSIONS.value()) {
            throw new TpmException(TpmRc.BAD_TAG, String.format(
                    "command tag is 0x%04x, expected TPM_ST_NO_SESSIONS or TPM_ST_SESSIONS", t));
        }
        if (size != command.length) {
            throw new TpmException(TpmRc.COMMAND_SIZE, "commandSize is " + Integer.toUnsignedString(size)
                    + ", the command is " + command.length + " bytes");
        }
        return new CommandHeader(TpmSt.fromValue(t), size, cc);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(tag.value()).u32(commandSize).u32(commandCode);
    }
}
