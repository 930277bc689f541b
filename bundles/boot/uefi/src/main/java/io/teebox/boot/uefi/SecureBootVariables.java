package io.teebox.boot.uefi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.firmware.EfiGuid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The Secure Boot variables of a platform (UEFI 2.10, 3.3 and 32.3): PK, KEK, db and dbx as signature databases
 * and SecureBoot as one byte, with each variable's data and vendor GUID, and the UEFI_VARIABLE_DATA that a firmware
 * measures into PCR 7 for each of them (TCG PC Client Platform Firmware Profile, EV_EFI_VARIABLE_DRIVER_CONFIG).
 *
 * @param pk the Platform Key database
 * @param kek the Key Exchange Key database
 * @param db the allowed signature database
 * @param dbx the forbidden signature database
 * @param secureBoot whether Secure Boot is enforced (SecureBoot = 1)
 */
public record SecureBootVariables(SignatureDatabase pk, SignatureDatabase kek, SignatureDatabase db,
        SignatureDatabase dbx, boolean secureBoot) {

    /** The variables in the order a firmware measures them into PCR 7. */
    public static final List<String> PCR7_ORDER = List.of("SecureBoot", "PK", "KEK", "db", "dbx");

    /**
     * Checks for nulls.
     */
    public SecureBootVariables {
        Objects.requireNonNull(pk, "pk");
        Objects.requireNonNull(kek, "kek");
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(dbx, "dbx");
    }

    /**
     * The same variables with SecureBoot set as given.
     *
     * @param enabled the new SecureBoot value
     * @return the variables
     */
    public SecureBootVariables withSecureBoot(boolean enabled) {
        return new SecureBootVariables(pk, kek, db, dbx, enabled);
    }

    /**
     * The same variables with another dbx.
     *
     * @param newDbx the forbidden database
     * @return the variables
     */
    public SecureBootVariables withDbx(SignatureDatabase newDbx) {
        return new SecureBootVariables(pk, kek, db, newDbx, secureBoot);
    }

    /**
     * The same variables with another db.
     *
     * @param newDb the allowed database
     * @return the variables
     */
    public SecureBootVariables withDb(SignatureDatabase newDb) {
        return new SecureBootVariables(pk, kek, newDb, dbx, secureBoot);
    }

    /**
     * A variable's data.
     *
     * @param name "SecureBoot", "PK", "KEK", "db" or "dbx"
     * @return its bytes
     * @throws IllegalArgumentException for another name
     */
    public byte[] data(String name) {
        return switch (name) {
            case "SecureBoot" -> new byte[] {(byte) (secureBoot ? 1 : 0)};
            case "PK" -> pk.toBytes();
            case "KEK" -> kek.toBytes();
            case "db" -> db.toBytes();
            case "dbx" -> dbx.toBytes();
            default -> throw new IllegalArgumentException("variable is \"" + name + "\", expected one of "
                    + PCR7_ORDER);
        };
    }

    /**
     * A variable's vendor GUID.
     *
     * @param name "SecureBoot", "PK", "KEK", "db" or "dbx"
     * @return EFI_GLOBAL_VARIABLE, or EFI_IMAGE_SECURITY_DATABASE_GUID for db and dbx
     * @throws IllegalArgumentException for another name
     */
    public static UUID vendorGuid(String name) {
        return switch (name) {
            case "SecureBoot", "PK", "KEK" -> EfiGuids.EFI_GLOBAL_VARIABLE;
            case "db", "dbx" -> EfiGuids.EFI_IMAGE_SECURITY_DATABASE;
            default -> throw new IllegalArgumentException("variable is \"" + name + "\", expected one of "
                    + PCR7_ORDER);
        };
    }

    /**
     * The UEFI_VARIABLE_DATA a firmware measures for a variable: VariableName (the vendor GUID), UnicodeNameLength
     * (u64, in CHAR16), VariableDataLength (u64), the name in UTF-16LE without terminator, the data.
     *
     * @param name "SecureBoot", "PK", "KEK", "db" or "dbx"
     * @return the event data
     * @throws IllegalArgumentException for another name
     */
    public byte[] uefiVariableData(String name) {
        byte[] data = data(name);
        byte[] unicode = name.getBytes(StandardCharsets.UTF_16LE);
        byte[] out = new byte[32 + unicode.length + data.length];
        EfiGuid.write(vendorGuid(name), out, 0);
        LittleEndian.put64(out, 16, name.length());
        LittleEndian.put64(out, 24, data.length);
        System.arraycopy(unicode, 0, out, 32, unicode.length);
        System.arraycopy(data, 0, out, 32 + unicode.length, data.length);
        return out;
    }
}
