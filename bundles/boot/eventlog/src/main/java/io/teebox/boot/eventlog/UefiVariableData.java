package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * UEFI_VARIABLE_DATA (PFP section 10.2.6), the event data of EV_EFI_VARIABLE_DRIVER_CONFIG (SecureBoot, PK, KEK, db,
 * dbx into PCR 7), EV_EFI_VARIABLE_BOOT (BootOrder, Boot#### into PCR 1) and EV_EFI_VARIABLE_AUTHORITY (the db entry
 * that verified an image, PCR 7): the variable's vendor GUID, UnicodeNameLength in CHAR16 without a NUL,
 * VariableDataLength, the UTF-16LE name and the variable's data.
 *
 * @param variableName the vendor GUID (the field is called VariableName in the spec)
 * @param unicodeName the variable name, e.g. "SecureBoot"
 * @param variableData the variable's contents
 */
public record UefiVariableData(UUID variableName, String unicodeName, byte[] variableData) {

    /** The struct name in messages. */
    public static final String STRUCT = "UEFI_VARIABLE_DATA";
    /** VariableName, UnicodeNameLength and VariableDataLength. */
    public static final int HEADER_SIZE = 16 + 8 + 8;
    /** EFI_GLOBAL_VARIABLE: SecureBoot, PK, KEK, BootOrder, Boot####. */
    public static final UUID EFI_GLOBAL_VARIABLE = UUID.fromString("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    /** EFI_IMAGE_SECURITY_DATABASE_GUID: db, dbx. */
    public static final UUID EFI_IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");

    /** Copies the data. */
    public UefiVariableData {
        variableData = variableData.clone();
    }

    @Override
    public byte[] variableData() {
        return variableData.clone();
    }

    /**
     * Parses the structure; it must fill {@code data} exactly.
     *
     * @param data the event data
     * @return the structure
     * @throws EventLogException if it is truncated, a length runs past it, bytes follow the variable data, or the
     *         name is not valid UTF-16LE
     */
    public static UefiVariableData parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        UUID guid = r.guid("VariableName");
        long nameLength = r.u64("UnicodeNameLength");
        long dataLength = r.u64("VariableDataLength");
        if (nameLength < 0 || nameLength > r.remaining() / 2) {
            throw new EventLogException(STRUCT, "UnicodeNameLength", STRUCT + ".UnicodeNameLength is "
                    + Long.toUnsignedString(nameLength) + " CHAR16, only " + r.remaining() + " bytes left");
        }
        byte[] name = r.bytes("UnicodeName", nameLength * 2);
        byte[] value = r.bytes("VariableData", dataLength);
        r.expectEnd("VariableData");
        String decoded;
        try {
            decoded = StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            throw new EventLogException(STRUCT, "UnicodeName", STRUCT + ".UnicodeName is not valid UTF-16LE");
        }
        return new UefiVariableData(guid, decoded, value);
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        byte[] name = unicodeName.getBytes(StandardCharsets.UTF_16LE);
        return new Writer().guid(variableName).u64(name.length / 2).u64(variableData.length).bytes(name)
                .bytes(variableData).toByteArray();
    }
}
