package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NEGOTIATE_ALGORITHMS (request) or ALGORITHMS (response).
 *
 * <p>Request: header (Param1 = number of AlgStructures), Length u16, MeasurementSpecification u8, Reserved u8,
 * BaseAsymAlgo u32, BaseHashAlgo u32, Reserved 12, ExtAsymCount u8, ExtHashCount u8, Reserved 2, ExtAsym, ExtHash,
 * AlgStructures. Response: header (Param1 = number of AlgStructures), Length u16, MeasurementSpecificationSel u8,
 * Reserved u8, MeasurementHashAlgo u32, BaseAsymSel u32, BaseHashSel u32, Reserved 12, ExtAsymSelCount u8,
 * ExtHashSelCount u8, Reserved 2, ExtAsymSel, ExtHashSel, AlgStructures. Length is the whole message's.
 *
 * @param request true for NEGOTIATE_ALGORITHMS
 * @param version the SPDMVersion byte
 * @param measurementSpecification MeasurementSpecification(Sel)
 * @param measurementHashAlgo MeasurementHashAlgo (response only; 0 in a request)
 * @param baseAsymAlgo BaseAsymAlgo / BaseAsymSel
 * @param baseHashAlgo BaseHashAlgo / BaseHashSel
 * @param extAsym ExtAsym(Sel) entries
 * @param extHash ExtHash(Sel) entries
 * @param structures the AlgStructures
 */
public record Algorithms(boolean request, int version, int measurementSpecification, int measurementHashAlgo,
        int baseAsymAlgo, int baseHashAlgo, List<Integer> extAsym, List<Integer> extHash,
        List<AlgorithmStructure> structures) {

    /** Copies the lists and checks counts fit. */
    public Algorithms {
        extAsym = List.copyOf(extAsym);
        extHash = List.copyOf(extHash);
        structures = List.copyOf(structures);
        Writer.fit("ExtAsymCount", extAsym.size(), 8);
        Writer.fit("ExtHashCount", extHash.size(), 8);
        Writer.fit("Param1 (AlgStructure count)", structures.size(), 8);
        if (request && measurementHashAlgo != 0) {
            throw new IllegalArgumentException("NEGOTIATE_ALGORITHMS has no MeasurementHashAlgo, found 0x"
                    + Integer.toHexString(measurementHashAlgo));
        }
    }

    /**
     * The structure of a type.
     *
     * @param type AlgType
     * @return its AlgSupported bits, empty if absent
     */
    public Optional<Integer> selected(int type) {
        return structures.stream().filter(s -> s.type() == type).map(AlgorithmStructure::supported).findFirst();
    }

    /** @return the bytes */
    public byte[] encode() {
        Writer body = new Writer().u8(measurementSpecification).u8(0);
        if (!request) {
            body.u32(measurementHashAlgo);
        }
        body.u32(baseAsymAlgo).u32(baseHashAlgo).zeros(12).u8(extAsym.size()).u8(extHash.size()).u16(0);
        extAsym.forEach(body::u32);
        extHash.forEach(body::u32);
        for (AlgorithmStructure s : structures) {
            body.u8(s.type()).u8(0x20 | s.external().size()).u16(s.supported());
            s.external().forEach(body::u32);
        }
        byte[] rest = body.toByteArray();
        int length = Writer.fit("Length", 6 + rest.length, 16);
        return new Writer().u8(version).u8(request ? Spdm.NEGOTIATE_ALGORITHMS : Spdm.ALGORITHMS)
                .u8(structures.size()).u8(0).u16(length).bytes(rest).toByteArray();
    }

    /**
     * Parses a NEGOTIATE_ALGORITHMS or ALGORITHMS.
     *
     * @param request true to parse NEGOTIATE_ALGORITHMS
     * @param b the bytes
     * @return the message
     * @throws MalformedStructureException if it is truncated, its Length is not its size, or a field is invalid
     */
    public static Algorithms parse(boolean request, byte[] b) {
        String name = request ? "NEGOTIATE_ALGORITHMS" : "ALGORITHMS";
        Reader r = new Reader(name, b);
        int v = r.header(request ? Spdm.NEGOTIATE_ALGORITHMS : Spdm.ALGORITHMS);
        int count = r.u8("Param1");
        r.reserved("Param2", 1);
        int length = r.u16("Length");
        if (length != b.length) {
            throw new MalformedStructureException(name, "Length", name + " Length is " + length
                    + ", but the message is " + b.length + " bytes");
        }
        int measSpec = r.u8("MeasurementSpecification");
        r.reserved("Reserved", 1);
        int measHash = request ? 0 : r.u32("MeasurementHashAlgo");
        int asym = r.u32("BaseAsymAlgo");
        int hash = r.u32("BaseHashAlgo");
        r.reserved("Reserved", 12);
        int extAsymCount = r.u8("ExtAsymCount");
        int extHashCount = r.u8("ExtHashCount");
        r.reserved("Reserved", 2);
        List<Integer> extAsym = new ArrayList<>();
        for (int i = 0; i < extAsymCount; i++) {
            extAsym.add(r.u32("ExtAsym[" + i + "]"));
        }
        List<Integer> extHash = new ArrayList<>();
        for (int i = 0; i < extHashCount; i++) {
            extHash.add(r.u32("ExtHash[" + i + "]"));
        }
        List<AlgorithmStructure> structs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int type = r.u8("AlgStructure[" + i + "].AlgType");
            int algCount = r.u8("AlgStructure[" + i + "].AlgCount");
            if ((algCount >>> 4) != 2) {
                throw new MalformedStructureException(name, "AlgCount", name + " AlgStructure[" + i
                        + "].AlgCount bits 7:4 are " + (algCount >>> 4) + ", expected 2");
            }
            int supported = r.u16("AlgStructure[" + i + "].AlgSupported");
            List<Integer> ext = new ArrayList<>();
            for (int j = 0; j < (algCount & 0xF); j++) {
                ext.add(r.u32("AlgStructure[" + i + "].AlgExternal[" + j + "]"));
            }
            structs.add(new AlgorithmStructure(type, supported, ext));
        }
        r.end();
        return new Algorithms(request, v, measSpec, measHash, asym, hash, extAsym, extHash, structs);
    }
}
