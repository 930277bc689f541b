package io.teebox.disk.luks2;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.teebox.disk.luks2.Luks2Exception.Reason;
import io.teebox.disk.luks2.internal.BinaryHeader;
import io.teebox.disk.luks2.internal.HeaderStore;
import io.teebox.disk.luks2.internal.Keyslots;
import io.teebox.disk.luks2.internal.Metadata;

/**
 * A LUKS2 image whose header has been read and checked but which is not unlocked: its keyslots, its data segment and
 * which header copy was used. Immutable; the image file is opened again for each operation.
 */
public final class Luks2Image {

    /** The metadata area cryptsetup writes by default: hdr_size 16 KiB per copy. */
    public static final long HDR_SIZE = 0x4000;
    /** The keyslots area cryptsetup writes by default, so that the data starts at 16 MiB. */
    public static final long KEYSLOTS_SIZE = 16L * 1024 * 1024 - 2 * HDR_SIZE;
    /** The area one 64-byte key with 4000 stripes takes, rounded up to 4 KiB as cryptsetup allocates it. */
    public static final long KEYSLOT_AREA_SIZE = 258048;
    /** The PBKDF2 iterations of the volume-key digest, cryptsetup's minimum. */
    public static final int DIGEST_ITERATIONS = 1000;
    /** The volume key length: AES-256-XTS. */
    public static final int VOLUME_KEY_SIZE = 64;

    private final Path path;
    private final BinaryHeader header;
    private final String json;
    private final Metadata metadata;
    private final boolean recovered;
    private final Luks2Exception otherFailure;

    private Luks2Image(Path path, HeaderStore.Loaded loaded) {
        this.path = path;
        this.header = loaded.header();
        this.json = loaded.json();
        this.metadata = loaded.metadata();
        this.recovered = loaded.recovered();
        this.otherFailure = loaded.otherFailure();
    }

    /**
     * Reads and checks the header of an image: both binary headers (magic, version, offsets, checksum) and the JSON
     * metadata; when the primary copy is refused the secondary is used, as cryptsetup recovers.
     *
     * @param image the image file
     * @return the locked image
     * @throws Luks2Exception if no header copy is valid, or the image ends before its data segment
     */
    public static Luks2Image open(Path image) {
        Objects.requireNonNull(image, "image");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            Luks2Image img = new Luks2Image(image, HeaderStore.read(ch));
            long need = img.segment().offset();
            if (ch.size() < need) {
                throw new Luks2Exception(Reason.TRUNCATED, "image is " + ch.size() + " bytes, expected at least the "
                        + "data segment offset " + need);
            }
            return img;
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a LUKS2 image in cryptsetup's default layout: 16 KiB header copies, the keyslots area up to 16 MiB, a
     * crypt segment with aes-xts-plain64 from 16 MiB to the end of the file, one luks2 keyslot per argument (ids 0,
     * 1, ...) and one pbkdf2 digest over the volume key. An existing file is overwritten.
     *
     * @param image the image file to write
     * @param dataSize the size of the decrypted volume in bytes, a positive multiple of the sector size
     * @param sectorSize the segment's sector_size: 512 or 4096
     * @param volumeKey the 64-byte volume key (AES-256-XTS)
     * @param keyslots the keyslots, at least one
     * @return the volume, unlocked
     * @throws IllegalArgumentException if an argument is out of range
     * @throws Luks2Exception if the file cannot be written
     */
    public static CryptVolume create(Path image, long dataSize, int sectorSize, byte[] volumeKey,
            NewKeyslot... keyslots) {
        Objects.requireNonNull(image, "image");
        if (volumeKey.length != VOLUME_KEY_SIZE) {
            throw new IllegalArgumentException("volume key is " + volumeKey.length + " bytes, expected "
                    + VOLUME_KEY_SIZE + " for aes-xts-plain64 with AES-256");
        }
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size is " + sectorSize + ", expected 512 or 4096");
        }
        if (dataSize <= 0 || dataSize % sectorSize != 0) {
            throw new IllegalArgumentException("data size is " + dataSize + ", expected a positive multiple of "
                    + sectorSize);
        }
        if (keyslots.length == 0 || keyslots.length > KEYSLOTS_SIZE / KEYSLOT_AREA_SIZE) {
            throw new IllegalArgumentException(keyslots.length + " keyslots, expected 1 to "
                    + KEYSLOTS_SIZE / KEYSLOT_AREA_SIZE);
        }
        SecureRandom random = new SecureRandom();
        long dataOffset = 2 * HDR_SIZE + KEYSLOTS_SIZE;
        Map<Integer, Metadata.Keyslot> slots = new TreeMap<>();
        for (int i = 0; i < keyslots.length; i++) {
            slots.put(i, Keyslots.describe(keyslots[i].kdf(), VOLUME_KEY_SIZE,
                    2 * HDR_SIZE + i * KEYSLOT_AREA_SIZE, KEYSLOT_AREA_SIZE, random));
        }
        byte[] digestSalt = new byte[Metadata.SALT_SIZE];
        random.nextBytes(digestSalt);
        Metadata.Digest digest = new Metadata.Digest(new ArrayList<>(slots.keySet()), List.of(0), "sha256",
                DIGEST_ITERATIONS, digestSalt, Keyslots.digest(volumeKey, digestSalt, DIGEST_ITERATIONS));
        Metadata.Segment segment = new Metadata.Segment(dataOffset, -1, 0, Keyslots.CIPHER, sectorSize);
        Metadata metadata = new Metadata(slots, Map.of(0, segment), Map.of(0, digest),
                new Metadata.Config(HDR_SIZE - BinaryHeader.SIZE, KEYSLOTS_SIZE), null);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
            // a sparse file: the keyslots area beyond the used areas and the data stay unwritten
            HeaderStore.writeAt(ch, dataOffset + dataSize - 1, new byte[1]);
            for (int i = 0; i < keyslots.length; i++) {
                Keyslots.seal(ch, slots.get(i), keyslots[i].secret(), volumeKey, random);
            }
            HeaderStore.write(ch, metadata, HDR_SIZE, 1, UUID.randomUUID().toString(), "", random);
            ch.force(true);
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot write " + image + ": " + e.getMessage(), e);
        }
        return new CryptVolume(image, volumeKey, dataOffset, -1, sectorSize, 0);
    }

    /**
     * Unlocks the volume with whichever keyslot the secret opens, trying them in id order as cryptsetup does.
     *
     * @param secret the passphrase, key-file or raw-key bytes
     * @return the unlocked volume
     * @throws Luks2Exception DIGEST_MISMATCH if no keyslot opens with this secret, or another reason if the image
     *         cannot be read
     */
    public CryptVolume unlock(byte[] secret) {
        Luks2Exception last = null;
        for (int id : keyslots().keySet()) {
            try {
                return unlock(id, secret);
            } catch (Luks2Exception e) {
                if (e.reason() != Reason.DIGEST_MISMATCH) {
                    throw e;
                }
                last = e;
            }
        }
        throw new Luks2Exception(Reason.DIGEST_MISMATCH, "no keyslot of " + keyslots().keySet() + " opens with "
                + "this secret: each yields a volume key that fails its digest", last);
    }

    /**
     * Unlocks the volume with one keyslot.
     *
     * @param keyslot the keyslot id
     * @param secret the passphrase, key-file or raw-key bytes
     * @return the unlocked volume
     * @throws Luks2Exception DIGEST_MISMATCH if the keyslot does not open with this secret (or its area is damaged),
     *         BAD_METADATA if there is no such keyslot, UNSUPPORTED for a cipher or hash this does not implement
     */
    public CryptVolume unlock(int keyslot, byte[] secret) {
        Metadata.Segment seg = segment();
        if (!seg.encryption().equals(Keyslots.CIPHER)) {
            throw new Luks2Exception(Reason.UNSUPPORTED, "segments.0.encryption is '" + seg.encryption()
                    + "', expected '" + Keyslots.CIPHER + "'");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] key = Keyslots.open(ch, metadata, keyslot, secret);
            if (key.length != 32 && key.length != 64) {
                throw new Luks2Exception(Reason.UNSUPPORTED, "volume key is " + key.length + " bytes, expected 32 "
                        + "or 64 for aes-xts-plain64");
            }
            return new CryptVolume(path, key, seg.offset(), seg.size(), seg.sectorSize(), seg.ivTweak());
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The keyslots and their key derivations.
     *
     * @return keyslot id to KDF, in id order
     */
    public SortedMap<Integer, Kdf> keyslots() {
        SortedMap<Integer, Kdf> out = new TreeMap<>();
        metadata.keyslots().forEach((id, k) -> out.put(id, k.kdf()));
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * The volume UUID.
     *
     * @return the uuid field of the binary header
     */
    public String uuid() {
        return header.uuid();
    }

    /**
     * The header's update counter.
     *
     * @return the seqid of the copy used
     */
    public long seqid() {
        return header.seqid();
    }

    /**
     * Whether the primary header copy was refused and the secondary used.
     *
     * @return true if the header was recovered from the secondary copy
     */
    public boolean recoveredFromSecondary() {
        return recovered;
    }

    /**
     * Why the header copy not used was refused: the primary's fault when the image was recovered from the secondary,
     * or a damaged secondary beside a valid primary (cryptsetup would repair it on its next write).
     *
     * @return the refusal, or empty if both copies are valid
     */
    public Optional<Luks2Exception> refusedCopy() {
        return Optional.ofNullable(otherFailure);
    }

    /**
     * Where the data segment starts.
     *
     * @return its offset in bytes
     */
    public long dataOffset() {
        return segment().offset();
    }

    /**
     * The data segment's sector size.
     *
     * @return 512 to 4096
     */
    public int sectorSize() {
        return segment().sectorSize();
    }

    /**
     * The JSON metadata as stored.
     *
     * @return the JSON text of the header copy used
     */
    public String json() {
        return json;
    }

    /**
     * The tokens, as cryptsetup keeps them: external metadata that says how to get a keyslot's secret (a
     * {@code systemd-tpm2} token holds a passphrase sealed to a TPM).
     *
     * @return token id to the token's JSON object, in id order
     */
    public SortedMap<Integer, JsonObject> tokens() {
        SortedMap<Integer, JsonObject> out = new TreeMap<>();
        metadata.tokens().entrySet().forEach(e -> out.put(Integer.parseInt(e.getKey()), e.getValue()
                .getAsJsonObject().deepCopy()));
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * Adds a keyslot for the volume key, in the next free id and the next free keyslot area, and adds it to the
     * digest; both header copies are rewritten with the next seqid, as cryptsetup luksAddKey does.
     *
     * @param volumeKey the volume key (from an unlocked volume), checked against the digest
     * @param slot the new keyslot's KDF and secret
     * @return the image as rewritten, and the new keyslot's id
     * @throws Luks2Exception DIGEST_MISMATCH if the key is not this volume's, BAD_METADATA if the keyslots area is
     *         full, IO if the file cannot be written
     */
    public Map.Entry<Luks2Image, Integer> addKeyslot(byte[] volumeKey, NewKeyslot slot) {
        Metadata.Digest digest = metadata.digests().values().iterator().next();
        if (!java.security.MessageDigest.isEqual(Keyslots.digest(volumeKey, digest.salt(), digest.iterations()),
                digest.digest())) {
            throw new Luks2Exception(Reason.DIGEST_MISMATCH, "the volume key given fails the digest of " + uuid()
                    + ": it is not this volume's key");
        }
        int id = 0;
        while (metadata.keyslots().containsKey(id)) {
            id++;
        }
        long areaOffset = 2 * HDR_SIZE;
        java.util.List<long[]> used = new ArrayList<>();
        metadata.keyslots().values().forEach(k -> used.add(new long[] {k.areaOffset(), k.areaOffset() + k.areaSize()}));
        boolean moved = true;
        while (moved) {
            moved = false;
            for (long[] u : used) {
                if (areaOffset < u[1] && areaOffset + KEYSLOT_AREA_SIZE > u[0]) {
                    areaOffset = u[1];
                    moved = true;
                }
            }
        }
        if (areaOffset + KEYSLOT_AREA_SIZE > 2 * HDR_SIZE + metadata.config().keyslotsSize()) {
            throw new Luks2Exception(Reason.BAD_METADATA, "the keyslots area of " + uuid() + " has no room for "
                    + "another keyslot");
        }
        SecureRandom random = new SecureRandom();
        Metadata.Keyslot k = Keyslots.describe(slot.kdf(), volumeKey.length, areaOffset, KEYSLOT_AREA_SIZE, random);
        Map<Integer, Metadata.Keyslot> slots = new TreeMap<>(metadata.keyslots());
        slots.put(id, k);
        Map<Integer, Metadata.Digest> digests = new TreeMap<>();
        int newId = id;
        metadata.digests().forEach((dId, d) -> {
            List<Integer> ks = new ArrayList<>(d.keyslots());
            ks.add(newId);
            java.util.Collections.sort(ks);
            digests.put(dId, new Metadata.Digest(ks, d.segments(), d.hash(), d.iterations(), d.salt(), d.digest()));
        });
        Metadata next = new Metadata(slots, metadata.segments(), digests, metadata.config(), metadata.tokens());
        return Map.entry(rewrite(next, ch -> Keyslots.seal(ch, k, slot.secret(), volumeKey, random)), id);
    }

    /**
     * Removes a keyslot: its area is wiped, it leaves the digest and the tokens that name it.
     *
     * @param id the keyslot
     * @return the image as rewritten
     * @throws Luks2Exception BAD_METADATA for no such keyslot or the last one
     */
    public Luks2Image removeKeyslot(int id) {
        Metadata.Keyslot k = metadata.keyslots().get(id);
        if (k == null || metadata.keyslots().size() == 1) {
            throw new Luks2Exception(Reason.BAD_METADATA, k == null ? "there is no keyslot " + id + "; keyslots "
                    + keyslots().keySet() : "keyslot " + id + " is the last one: removing it would lose the volume");
        }
        Map<Integer, Metadata.Keyslot> slots = new TreeMap<>(metadata.keyslots());
        slots.remove(id);
        Map<Integer, Metadata.Digest> digests = new TreeMap<>();
        metadata.digests().forEach((dId, d) -> {
            List<Integer> ks = new ArrayList<>(d.keyslots());
            ks.remove(Integer.valueOf(id));
            digests.put(dId, new Metadata.Digest(ks, d.segments(), d.hash(), d.iterations(), d.salt(), d.digest()));
        });
        JsonObject tokens = metadata.tokens().deepCopy();
        for (String t : new ArrayList<>(tokens.keySet())) {
            JsonArray ks = tokens.getAsJsonObject(t).getAsJsonArray("keyslots");
            if (ks != null && ks.contains(new com.google.gson.JsonPrimitive(Integer.toString(id)))) {
                tokens.remove(t);
            }
        }
        Metadata next = new Metadata(slots, metadata.segments(), digests, metadata.config(), tokens);
        return rewrite(next, ch -> HeaderStore.writeAt(ch, k.areaOffset(), new byte[(int) k.areaSize()]));
    }

    /**
     * Adds a token in the next free id, checked as cryptsetup checks one: {@code type} a string, {@code keyslots} an
     * array of the ids of existing keyslots, as strings.
     *
     * @param token the token
     * @return the image as rewritten, and the token's id
     * @throws IllegalArgumentException naming what is wrong with the token
     */
    public Map.Entry<Luks2Image, Integer> addToken(JsonObject token) {
        if (!(token.get("type") instanceof com.google.gson.JsonPrimitive t) || !t.isString()) {
            throw new IllegalArgumentException("the token's type is " + token.get("type") + ", expected a string");
        }
        if (!(token.get("keyslots") instanceof JsonArray ks)) {
            throw new IllegalArgumentException("the token's keyslots is " + token.get("keyslots") + ", expected an "
                    + "array of keyslot ids as strings");
        }
        for (com.google.gson.JsonElement k : ks) {
            if (!k.isJsonPrimitive() || !k.getAsJsonPrimitive().isString() || !k.getAsString().matches("\\d+")
                    || !metadata.keyslots().containsKey(Integer.parseInt(k.getAsString()))) {
                throw new IllegalArgumentException("the token names keyslot " + k + ", expected one of "
                        + keyslots().keySet() + " as a string");
            }
        }
        int id = 0;
        while (metadata.tokens().has(Integer.toString(id))) {
            id++;
        }
        JsonObject tokens = metadata.tokens().deepCopy();
        tokens.add(Integer.toString(id), token.deepCopy());
        Metadata next = new Metadata(metadata.keyslots(), metadata.segments(), metadata.digests(), metadata.config(),
                tokens);
        return Map.entry(rewrite(next, ch -> { }), id);
    }

    /**
     * @param id a token
     * @return the image as rewritten
     * @throws Luks2Exception BAD_METADATA for no such token
     */
    public Luks2Image removeToken(int id) {
        if (!metadata.tokens().has(Integer.toString(id))) {
            throw new Luks2Exception(Reason.BAD_METADATA, "there is no token " + id + "; tokens " + tokens().keySet());
        }
        JsonObject tokens = metadata.tokens().deepCopy();
        tokens.remove(Integer.toString(id));
        return rewrite(new Metadata(metadata.keyslots(), metadata.segments(), metadata.digests(), metadata.config(),
                tokens), ch -> { });
    }

    private Luks2Image rewrite(Metadata next, java.util.function.Consumer<FileChannel> areas) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            areas.accept(ch);
            HeaderStore.write(ch, next, header.hdrSize(), header.seqid() + 1, header.uuid(), header.label(),
                    new SecureRandom());
            ch.force(true);
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
        }
        return open(path);
    }

    private Metadata.Segment segment() {
        return new TreeMap<>(metadata.segments()).firstEntry().getValue();
    }

    @Override
    public String toString() {
        return "LUKS2 image " + path + " (uuid " + header.uuid() + ", keyslots " + keyslots().keySet() + ")";
    }
}
