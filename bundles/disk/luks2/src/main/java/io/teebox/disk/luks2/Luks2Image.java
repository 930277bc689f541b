package io.teebox.disk.luks2;

import io.teebox.disk.luks2.Luks2Exception.Reason;
import io.teebox.disk.luks2.internal.BinaryHeader;
import io.teebox.disk.luks2.internal.HeaderStore;
import io.teebox.disk.luks2.internal.Keyslots;
import io.teebox.disk.luks2.internal.Metadata;
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

    private Metadata.Segment segment() {
        return new TreeMap<>(metadata.segments()).firstEntry().getValue();
    }

    @Override
    public String toString() {
        return "LUKS2 image " + path + " (uuid " + header.uuid() + ", keyslots " + keyslots().keySet() + ")";
    }
}
