package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.Optional;

/**
 * ERROR: header (Param1 = ErrorCode, Param2 = ErrorData), then ExtendedErrorData (0 to 32 bytes).
 *
 * @param version the SPDMVersion byte
 * @param code the ErrorCode
 * @param data the ErrorData
 * @param extended the ExtendedErrorData
 */
public record ErrorResponse(int version, int code, int data, byte[] extended) {

    /** Checks the fields fit. */
    public ErrorResponse {
        extended = extended.clone();
        Writer.fit("ErrorCode", code, 8);
        Writer.fit("ErrorData", data, 8);
        if (extended.length > 32) {
            throw new IllegalArgumentException("ExtendedErrorData is " + extended.length + " bytes, at most 32");
        }
    }

    /**
     * An error without data.
     *
     * @param version the SPDMVersion byte
     * @param error the error
     * @return the response
     */
    public static ErrorResponse of(int version, SpdmError error) {
        return new ErrorResponse(version, error.code(), 0, new byte[0]);
    }

    /** @return the error, empty for a reserved code */
    public Optional<SpdmError> error() {
        return SpdmError.of(code);
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.ERROR).u8(code).u8(data).bytes(extended).toByteArray();
    }

    /**
     * Parses an ERROR.
     *
     * @param b the bytes
     * @return the response
     * @throws MalformedStructureException if it is shorter than the header or the extended data exceeds 32 bytes
     */
    public static ErrorResponse parse(byte[] b) {
        Reader r = new Reader("ERROR", b);
        int v = r.header(Spdm.ERROR);
        int code = r.u8("Param1 (ErrorCode)");
        int data = r.u8("Param2 (ErrorData)");
        if (r.remaining() > 32) {
            throw new MalformedStructureException("ERROR", "ExtendedErrorData", "ERROR ExtendedErrorData is "
                    + r.remaining() + " bytes, at most 32");
        }
        byte[] ext = r.bytes("ExtendedErrorData", r.remaining());
        return new ErrorResponse(v, code, data, ext);
    }

    /** @return a copy of extended */
    @Override
    public byte[] extended() {
        return extended.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorResponse other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
