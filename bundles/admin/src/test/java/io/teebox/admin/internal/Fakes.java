package io.teebox.admin.internal;

import java.io.InputStream;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Metatype definitions in memory, as Felix Metatype gives them for a DS component's @ObjectClassDefinition. */
final class Fakes {

    private Fakes() {
    }

    static AttributeDefinition ad(String id, int type, int cardinality, String[] options, String def) {
        return new AttributeDefinition() {
            @Override public String getName() { return id + " name"; }
            @Override public String getID() { return id; }
            @Override public String getDescription() { return id + " description"; }
            @Override public int getCardinality() { return cardinality; }
            @Override public int getType() { return type; }
            @Override public String[] getOptionValues() { return options; }
            @Override public String[] getOptionLabels() { return options; }
            @Override public String validate(String value) {
                return "reject".equals(value) ? "rejected by the definition" : "";
            }
            @Override public String[] getDefaultValue() { return def == null ? null : new String[] {def}; }
        };
    }

    static ObjectClassDefinition ocd(String id, AttributeDefinition... ads) {
        return new ObjectClassDefinition() {
            @Override public String getName() { return id + " name"; }
            @Override public String getID() { return id; }
            @Override public String getDescription() { return id + " description"; }
            @Override public AttributeDefinition[] getAttributeDefinitions(int filter) { return ads; }
            @Override public InputStream getIcon(int size) { return null; }
        };
    }

    /** The AMD SP's metatype, as far as the tests need it. */
    static ObjectClassDefinition amdSp() {
        return ocd("io.teebox.amd.sp",
                ad("productLine", AttributeDefinition.STRING, 0, new String[] {"Milan", "Genoa", "Turin"}, "Milan"),
                ad("maxAsid", AttributeDefinition.INTEGER, 0, null, "15"),
                ad("signingKey", AttributeDefinition.STRING, 0, null, "VCEK"),
                ad("revokedPpids", AttributeDefinition.STRING, 3, null, null),
                ad("debug", AttributeDefinition.BOOLEAN, 0, null, "false"),
                ad("spl", AttributeDefinition.BYTE, 0, null, "0"));
    }
}
