package io.teebox.admin.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Whether a value, as text, is one the metatype accepts: it parses as the attribute's type (each element of a
 * comma-separated list when the attribute is multi-valued), is one of the options when there are options, and
 * passes {@link AttributeDefinition#validate(String)}.
 */
final class AttributeCheck {

    private AttributeCheck() {
    }

    /**
     * @param ocd the object class of the pid
     * @param key the key
     * @return its attribute definition, or null
     */
    static AttributeDefinition find(ObjectClassDefinition ocd, String key) {
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) {
            for (AttributeDefinition ad : ads) {
                if (ad.getID().equals(key)) {
                    return ad;
                }
            }
        }
        return null;
    }

    /**
     * @param ocd an object class
     * @return its attribute ids
     */
    static List<String> keys(ObjectClassDefinition ocd) {
        List<String> out = new ArrayList<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) {
            for (AttributeDefinition ad : ads) {
                out.add(ad.getID());
            }
        }
        return out;
    }

    /**
     * @param ad an attribute definition
     * @param value a value as text (multi-valued attributes: comma-separated)
     * @return why the metatype refuses it, or null if it accepts it
     */
    static String problem(AttributeDefinition ad, String value) {
        List<String> items = ad.getCardinality() == 0 ? List.of(value) : split(value);
        if (ad.getCardinality() != 0 && items.size() > Math.abs(ad.getCardinality())) {
            return "'" + value + "' has " + items.size() + " values, at most " + Math.abs(ad.getCardinality())
                    + " are allowed";
        }
        for (String item : items) {
            String typeProblem = typeProblem(ad.getType(), item);
            if (typeProblem != null) {
                return "'" + item + "' is not " + typeProblem;
            }
            String[] options = ad.getOptionValues();
            if (options != null && options.length > 0 && !Arrays.asList(options).contains(item)) {
                return "'" + item + "' is not one of " + String.join(", ", options);
            }
        }
        String validation = ad.validate(value);
        if (validation != null && !validation.isEmpty()) {
            return "'" + value + "' is refused by the metatype (" + validation + ")";
        }
        return null;
    }

    /** @return a description of the type the text is not, or null if it parses */
    private static String typeProblem(int type, String v) {
        String s = v.trim();
        try {
            switch (type) {
                case AttributeDefinition.INTEGER -> Integer.parseInt(s);
                case AttributeDefinition.LONG -> Long.parseLong(s);
                case AttributeDefinition.SHORT -> Short.parseShort(s);
                case AttributeDefinition.BYTE -> Byte.parseByte(s);
                case AttributeDefinition.DOUBLE -> Double.parseDouble(s);
                case AttributeDefinition.FLOAT -> Float.parseFloat(s);
                case AttributeDefinition.CHARACTER -> {
                    if (s.length() != 1) {
                        return "a single character";
                    }
                }
                case AttributeDefinition.BOOLEAN -> {
                    if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                        return "a boolean (true or false)";
                    }
                }
                default -> {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return switch (type) {
                case AttributeDefinition.INTEGER -> "an integer (" + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ")";
                case AttributeDefinition.LONG -> "a long integer";
                case AttributeDefinition.SHORT -> "a short integer (" + Short.MIN_VALUE + ".." + Short.MAX_VALUE + ")";
                case AttributeDefinition.BYTE -> "a byte (" + Byte.MIN_VALUE + ".." + Byte.MAX_VALUE + ")";
                default -> "a number";
            };
        }
        return null;
    }

    /**
     * @param type an {@link AttributeDefinition} type
     * @return its name
     */
    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING -> "String";
            case AttributeDefinition.LONG -> "Long";
            case AttributeDefinition.INTEGER -> "Integer";
            case AttributeDefinition.SHORT -> "Short";
            case AttributeDefinition.CHARACTER -> "Character";
            case AttributeDefinition.BYTE -> "Byte";
            case AttributeDefinition.DOUBLE -> "Double";
            case AttributeDefinition.FLOAT -> "Float";
            case AttributeDefinition.BOOLEAN -> "Boolean";
            case AttributeDefinition.PASSWORD -> "Password";
            default -> "type " + type;
        };
    }

    /** @return the cardinality in words */
    static String cardinality(int cardinality) {
        if (cardinality == 0) {
            return "one value";
        }
        String bound = Math.abs(cardinality) == Integer.MAX_VALUE ? "any number of" : "up to " + Math.abs(cardinality);
        return bound + " values (" + (cardinality > 0 ? "array" : "list") + ")";
    }

    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split("(?<!\\\\),")) {
            String t = s.replace("\\,", ",").trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** @return the value lowercased for case-insensitive comparisons of booleans */
    static String normalize(int type, String v) {
        return type == AttributeDefinition.BOOLEAN ? v.trim().toLowerCase(Locale.ROOT) : v;
    }
}
