package io.teebox.disk.luks2.internal;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The LUKS2 JSON metadata: keyslots, tokens, segments, digests and config. Only what this implementation can open is
 * accepted (luks2 keyslots with the luks1 AF and a raw area, crypt segments, pbkdf2 digests, no tokens are
 * interpreted); 64-bit values are JSON strings as the specification requires.
 *
 * @param keyslots the keyslots by id
 * @param segments the segments by id
 * @param digests the digests by id
 * @param config the config object
 * @param tokens the tokens object, kept as it is
 */
public record Metadata(Map<Integer, Keyslot> keyslots, Map<Integer, Segment> segments, Map<Integer, Digest> digests,
        Config config, JsonObject tokens) {

    /** The keyslot salt length, LUKS_SALTSIZE. */
    public static final int SALT_SIZE = 32;

    /**
     * Copies the maps.
     */
    public Metadata {
        keyslots = Map.copyOf(new TreeMap<>(keyslots));
        segments = Map.copyOf(new TreeMap<>(segments));
        digests = Map.copyOf(new TreeMap<>(digests));
        Objects.requireNonNull(config, "config");
        tokens = tokens == null ? new JsonObject() : tokens.deepCopy();
    }

    /**
     * One luks2 keyslot.
     *
     * @param keySize key_size: the volume key length
     * @param stripes af.stripes
     * @param afHash af.hash
     * @param areaOffset area.offset in bytes from the start of the device
     * @param areaSize area.size in bytes
     * @param areaEncryption area.encryption
     * @param areaKeySize area.key_size
     * @param kdf the kdf parameters
     * @param salt kdf.salt
     */
    public record Keyslot(int keySize, int stripes, String afHash, long areaOffset, long areaSize,
            String areaEncryption, int areaKeySize, Kdf kdf, byte[] salt) {
        /** Copies the salt. */
        public Keyslot {
            salt = salt.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    /**
     * One crypt segment.
     *
     * @param offset offset in bytes from the start of the device
     * @param size size in bytes, or -1 for "dynamic" (to the end of the device)
     * @param ivTweak iv_tweak: added to the sector number to form the IV
     * @param encryption encryption
     * @param sectorSize sector_size
     */
    public record Segment(long offset, long size, long ivTweak, String encryption, int sectorSize) {
    }

    /**
     * One pbkdf2 digest.
     *
     * @param keyslots the keyslot ids it covers
     * @param segments the segment ids it covers
     * @param hash hash
     * @param iterations iterations
     * @param salt salt
     * @param digest digest
     */
    public record Digest(List<Integer> keyslots, List<Integer> segments, String hash, int iterations, byte[] salt,
            byte[] digest) {
        /** Copies the lists and arrays. */
        public Digest {
            keyslots = List.copyOf(keyslots);
            segments = List.copyOf(segments);
            salt = salt.clone();
            digest = digest.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }
    }

    /**
     * The config object.
     *
     * @param jsonSize json_size: the JSON area length
     * @param keyslotsSize keyslots_size: the length of the keyslots area that follows both header copies
     */
    public record Config(long jsonSize, long keyslotsSize) {
    }

    /**
     * Writes the metadata as compact JSON, fields in cryptsetup's order.
     *
     * @return the JSON text
     */
    public String toJson() {
        JsonObject root = new JsonObject();
        JsonObject ks = new JsonObject();
        new TreeMap<>(keyslots).forEach((id, k) -> ks.add(Integer.toString(id), keyslotJson(k)));
        root.add("keyslots", ks);
        root.add("tokens", tokens.deepCopy());
        JsonObject segs = new JsonObject();
        new TreeMap<>(segments).forEach((id, s) -> {
            JsonObject o = new JsonObject();
            o.addProperty("type", "crypt");
            o.addProperty("offset", Long.toUnsignedString(s.offset()));
            o.addProperty("size", s.size() < 0 ? "dynamic" : Long.toString(s.size()));
            o.addProperty("iv_tweak", Long.toUnsignedString(s.ivTweak()));
            o.addProperty("encryption", s.encryption());
            o.addProperty("sector_size", s.sectorSize());
            segs.add(Integer.toString(id), o);
        });
        root.add("segments", segs);
        JsonObject dig = new JsonObject();
        new TreeMap<>(digests).forEach((id, d) -> {
            JsonObject o = new JsonObject();
            o.addProperty("type", "pbkdf2");
            o.add("keyslots", ids(d.keyslots()));
            o.add("segments", ids(d.segments()));
            o.addProperty("hash", d.hash());
            o.addProperty("iterations", d.iterations());
            o.addProperty("salt", Base64.getEncoder().encodeToString(d.salt()));
            o.addProperty("digest", Base64.getEncoder().encodeToString(d.digest()));
            dig.add(Integer.toString(id), o);
        });
        root.add("digests", dig);
        JsonObject cfg = new JsonObject();
        cfg.addProperty("json_size", Long.toString(config.jsonSize()));
        cfg.addProperty("keyslots_size", Long.toString(config.keyslotsSize()));
        root.add("config", cfg);
        return new GsonBuilder().disableHtmlEscaping().create().toJson(root);
    }

    private static JsonObject keyslotJson(Keyslot k) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "luks2");
        o.addProperty("key_size", k.keySize());
        JsonObject af = new JsonObject();
        af.addProperty("type", "luks1");
        af.addProperty("stripes", k.stripes());
        af.addProperty("hash", k.afHash());
        o.add("af", af);
        JsonObject area = new JsonObject();
        area.addProperty("type", "raw");
        area.addProperty("offset", Long.toString(k.areaOffset()));
        area.addProperty("size", Long.toString(k.areaSize()));
        area.addProperty("encryption", k.areaEncryption());
        area.addProperty("key_size", k.areaKeySize());
        o.add("area", area);
        JsonObject kdf = new JsonObject();
        kdf.addProperty("type", k.kdf().type());
        if (k.kdf() instanceof Kdf.Pbkdf2 p) {
            kdf.addProperty("hash", "sha256");
            kdf.addProperty("iterations", p.iterations());
        } else if (k.kdf() instanceof Kdf.Argon2id a) {
            kdf.addProperty("time", a.time());
            kdf.addProperty("memory", a.memory());
            kdf.addProperty("cpus", a.cpus());
        }
        kdf.addProperty("salt", Base64.getEncoder().encodeToString(k.salt()));
        o.add("kdf", kdf);
        return o;
    }

    private static JsonArray ids(List<Integer> ids) {
        JsonArray a = new JsonArray();
        ids.forEach(i -> a.add(Integer.toString(i)));
        return a;
    }

    /**
     * Parses and validates the JSON metadata of a header copy.
     *
     * @param json the JSON text
     * @param hdrSize the copy's hdr_size, which config.json_size must match
     * @return the metadata
     * @throws Luks2Exception if the JSON is not LUKS2 metadata this implementation can open
     */
    public static Metadata parse(String json, long hdrSize) {
        JsonObject root;
        try {
            // strict, as json-c is: no comments, unquoted names or single quotes, and nothing after the object
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw bad("JSON metadata has text after its top-level value, expected zeros");
            }
            if (!e.isJsonObject()) {
                throw bad("JSON metadata is a " + kind(e) + ", expected an object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException | IOException e) {
            throw new Luks2Exception(Reason.BAD_METADATA, "JSON metadata does not parse: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        JsonObject cfg = object(root, "config", "");
        Config config = new Config(u64(cfg, "json_size", "config"), u64(cfg, "keyslots_size", "config"));
        if (config.jsonSize() != hdrSize - BinaryHeader.SIZE) {
            throw new Luks2Exception(Reason.BAD_OFFSET, "config.json_size is " + config.jsonSize()
                    + ", expected hdr_size - 4096 = " + (hdrSize - BinaryHeader.SIZE));
        }
        if (config.keyslotsSize() % 4096 != 0) {
            throw new Luks2Exception(Reason.BAD_OFFSET, "config.keyslots_size is " + config.keyslotsSize()
                    + ", expected a multiple of 4096");
        }
        JsonElement requirements = cfg.get("requirements");
        if (requirements != null && requirements.isJsonObject()) {
            JsonElement mandatory = requirements.getAsJsonObject().get("mandatory");
            if (mandatory != null && mandatory.isJsonArray() && !mandatory.getAsJsonArray().isEmpty()) {
                throw new Luks2Exception(Reason.UNSUPPORTED, "config.requirements.mandatory is " + mandatory
                        + ", expected none (this implementation knows no requirement)");
            }
        }
        long areasStart = 2 * hdrSize;
        long areasEnd = areasStart + config.keyslotsSize();

        Map<Integer, Keyslot> keyslots = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : object(root, "keyslots", "").entrySet()) {
            String where = "keyslots." + e.getKey();
            int id = id(e.getKey(), "keyslots");
            JsonObject k = asObject(e.getValue(), where);
            expect(k, "type", "luks2", where);
            JsonObject af = object(k, "af", where);
            expect(af, "type", "luks1", where + ".af");
            JsonObject area = object(k, "area", where);
            expect(area, "type", "raw", where + ".area");
            JsonObject kdfJ = object(k, "kdf", where);
            String kdfType = string(kdfJ, "type", where + ".kdf");
            Kdf kdf;
            try {
                if (kdfType.equals("pbkdf2")) {
                    expect(kdfJ, "hash", "sha256", where + ".kdf");
                    kdf = new Kdf.Pbkdf2(integer(kdfJ, "iterations", where + ".kdf"));
                } else if (kdfType.equals("argon2id")) {
                    kdf = new Kdf.Argon2id(integer(kdfJ, "time", where + ".kdf"),
                            integer(kdfJ, "memory", where + ".kdf"), integer(kdfJ, "cpus", where + ".kdf"));
                } else {
                    throw new Luks2Exception(Reason.UNSUPPORTED, where + ".kdf.type is '" + kdfType
                            + "', expected 'pbkdf2' or 'argon2id'");
                }
            } catch (IllegalArgumentException ex) {
                throw bad(where + ".kdf: " + ex.getMessage());
            }
            byte[] salt = base64(kdfJ, "salt", where + ".kdf");
            if (salt.length != SALT_SIZE) {
                throw bad(where + ".kdf.salt is " + salt.length + " bytes, expected " + SALT_SIZE);
            }
            Keyslot slot = new Keyslot(integer(k, "key_size", where), integer(af, "stripes", where + ".af"),
                    string(af, "hash", where + ".af"), u64(area, "offset", where + ".area"),
                    u64(area, "size", where + ".area"), string(area, "encryption", where + ".area"),
                    integer(area, "key_size", where + ".area"), kdf, salt);
            if (slot.areaOffset() < areasStart || slot.areaOffset() + slot.areaSize() > areasEnd
                    || slot.areaOffset() + slot.areaSize() < slot.areaOffset()) {
                throw new Luks2Exception(Reason.BAD_OFFSET, String.format("%s.area is [0x%x, 0x%x), expected "
                        + "inside the keyslots area [0x%x, 0x%x)", where, slot.areaOffset(),
                        slot.areaOffset() + slot.areaSize(), areasStart, areasEnd));
            }
            for (Map.Entry<Integer, Keyslot> o : keyslots.entrySet()) {
                Keyslot other = o.getValue();
                if (slot.areaOffset() < other.areaOffset() + other.areaSize()
                        && other.areaOffset() < slot.areaOffset() + slot.areaSize()) {
                    throw new Luks2Exception(Reason.BAD_OFFSET, String.format("%s.area [0x%x, 0x%x) overlaps the "
                            + "area of keyslot %d [0x%x, 0x%x), expected disjoint areas", where, slot.areaOffset(),
                            slot.areaOffset() + slot.areaSize(), o.getKey(), other.areaOffset(),
                            other.areaOffset() + other.areaSize()));
                }
            }
            keyslots.put(id, slot);
        }

        Map<Integer, Segment> segments = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : object(root, "segments", "").entrySet()) {
            String where = "segments." + e.getKey();
            int id = id(e.getKey(), "segments");
            JsonObject s = asObject(e.getValue(), where);
            expect(s, "type", "crypt", where);
            String size = string(s, "size", where);
            long sizeValue = size.equals("dynamic") ? -1 : u64(s, "size", where);
            Segment seg = new Segment(u64(s, "offset", where), sizeValue, u64(s, "iv_tweak", where),
                    string(s, "encryption", where), integer(s, "sector_size", where));
            int ss = seg.sectorSize();
            if (ss < 512 || ss > 4096 || Integer.bitCount(ss) != 1) {
                throw bad(where + ".sector_size is " + ss + ", expected 512, 1024, 2048 or 4096");
            }
            if (seg.size() >= 0 && seg.size() % ss != 0) {
                throw new Luks2Exception(Reason.BAD_OFFSET, where + ".size is " + seg.size()
                        + ", expected a multiple of sector_size " + ss);
            }
            if (seg.offset() < areasEnd || seg.offset() % ss != 0) {
                throw new Luks2Exception(Reason.BAD_OFFSET, String.format("%s.offset is 0x%x, expected a multiple "
                        + "of sector_size %d at or after the end of the keyslots area 0x%x", where, seg.offset(),
                        ss, areasEnd));
            }
            segments.put(id, seg);
        }
        if (segments.isEmpty()) {
            throw bad("segments is empty, expected a crypt segment");
        }

        Map<Integer, Digest> digests = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : object(root, "digests", "").entrySet()) {
            String where = "digests." + e.getKey();
            int id = id(e.getKey(), "digests");
            JsonObject d = asObject(e.getValue(), where);
            expect(d, "type", "pbkdf2", where);
            Digest dig = new Digest(idList(d, "keyslots", where), idList(d, "segments", where),
                    string(d, "hash", where), integer(d, "iterations", where), base64(d, "salt", where),
                    base64(d, "digest", where));
            for (int k : dig.keyslots()) {
                if (!keyslots.containsKey(k)) {
                    throw bad(where + ".keyslots names keyslot " + k + ", expected one of " + keyslots.keySet());
                }
            }
            for (int sId : dig.segments()) {
                if (!segments.containsKey(sId)) {
                    throw bad(where + ".segments names segment " + sId + ", expected one of " + segments.keySet());
                }
            }
            digests.put(id, dig);
        }
        JsonElement tokens = root.get("tokens");
        if (tokens == null || !tokens.isJsonObject()) {
            throw bad("tokens is " + kind(tokens) + ", expected an object");
        }
        return new Metadata(keyslots, segments, digests, config, tokens.getAsJsonObject());
    }

    /**
     * The digest that covers a keyslot.
     *
     * @param keyslot a keyslot id
     * @return its digest
     * @throws Luks2Exception if no digest names the keyslot
     */
    public Digest digestOf(int keyslot) {
        for (Digest d : new TreeMap<>(digests).values()) {
            if (d.keyslots().contains(keyslot)) {
                return d;
            }
        }
        throw bad("no digest names keyslot " + keyslot + ", expected one");
    }

    private static Luks2Exception bad(String message) {
        return new Luks2Exception(Reason.BAD_METADATA, message);
    }

    private static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "missing";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        return "'" + e.getAsString() + "'";
    }

    private static int id(String key, String where) {
        try {
            int id = Integer.parseInt(key);
            if (id >= 0 && Integer.toString(id).equals(key)) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw bad(where + " has key '" + key + "', expected a decimal id");
    }

    private static JsonObject asObject(JsonElement e, String where) {
        if (e == null || !e.isJsonObject()) {
            throw bad(where + " is " + kind(e) + ", expected an object");
        }
        return e.getAsJsonObject();
    }

    private static JsonObject object(JsonObject o, String name, String where) {
        return asObject(o.get(name), where.isEmpty() ? name : where + "." + name);
    }

    private static String string(JsonObject o, String name, String where) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(where + "." + name + " is " + kind(e) + ", expected a string");
        }
        return e.getAsString();
    }

    private static void expect(JsonObject o, String name, String value, String where) {
        String found = string(o, name, where);
        if (!found.equals(value)) {
            throw new Luks2Exception(Reason.UNSUPPORTED, where + "." + name + " is '" + found + "', expected '"
                    + value + "'");
        }
    }

    private static long u64(JsonObject o, String name, String where) {
        String s = string(o, name, where);
        try {
            if (!s.matches("[0-9]{1,20}")) {
                throw new NumberFormatException(s);
            }
            long v = Long.parseUnsignedLong(s);
            if (v < 0) {
                throw new NumberFormatException(s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(where + "." + name + " is '" + s + "', expected a decimal string below 2^63");
        }
    }

    private static int integer(JsonObject o, String name, String where) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(where + "." + name + " is " + kind(e) + ", expected a number");
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        try {
            return Integer.parseInt(p.getAsString());
        } catch (NumberFormatException ex) {
            throw bad(where + "." + name + " is " + p.getAsString() + ", expected a 32-bit integer");
        }
    }

    private static byte[] base64(JsonObject o, String name, String where) {
        String s = string(o, name, where);
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw bad(where + "." + name + " is not base64: " + e.getMessage());
        }
    }

    private static List<Integer> idList(JsonObject o, String name, String where) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonArray()) {
            throw bad(where + "." + name + " is " + kind(e) + ", expected an array of ids");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw bad(where + "." + name + " holds " + kind(x) + ", expected id strings");
            }
            out.add(id(x.getAsString(), where + "." + name));
        }
        return out;
    }
}
