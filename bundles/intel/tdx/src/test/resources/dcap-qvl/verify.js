// Runs Phala's DCAP-QVL (@phala/dcap-qvl, pure JavaScript) on a quote exported by teebox.
//   node verify.js verify QUOTE COLLATERAL_JSON ROOT_DER NOW_SECONDS
//   node verify.js fetch  QUOTE PCS_URL         ROOT_DER NOW_SECONDS   (collateral from a PCS, then verify)
//   node verify.js parse  QUOTE                                         (the quote as dcap-qvl parses it, no checks)
// Prints one JSON line: {"ok":true,"status":...,"mrtd":...,"rtmr3":...,"advisories":[...]} or {"ok":false,"error":...}.
// The package directory is taken from the environment variable DCAP_QVL.
const fs = require('fs');
const qvl = require(process.env.DCAP_QVL || '@phala/dcap-qvl');

async function main() {
    const [mode, quoteFile, source, rootFile, now] = process.argv.slice(2);
    const quote = fs.readFileSync(quoteFile);
    if (mode === 'parse') {
        const q = qvl.Quote.parse(quote);
        const r = q.report;
        const td = r.type === 'td15' ? r.data.base : r.data;
        const hex = b => Buffer.from(b).toString('hex');
        return {
            ok: true,
            version: q.header.version,
            type: r.type,
            signedLength: q.signedLength(),
            mrtd: hex(td.mrTd),
            rtmr3: hex(td.rtMr3),
            reportData: hex(td.reportData),
            teeTcbSvn2: r.type === 'td15' ? hex(r.data.teeTcbSvn2) : null,
            mrServiceTd: r.type === 'td15' ? hex(r.data.mrServiceTd) : null,
            certChainLength: q.rawCertChain().length,
        };
    }
    const collateral = mode === 'fetch'
        ? await qvl.getCollateral(source, quote)
        : JSON.parse(fs.readFileSync(source, 'utf8'));
    const verifier = qvl.QuoteVerifier.newWithRootCa(fs.readFileSync(rootFile));
    const report = verifier.verify(quote, collateral, Number(now));
    const td = report.report.asTd10();
    return {
        ok: true,
        status: report.status,
        advisories: report.advisory_ids,
        mrtd: Buffer.from(td.mrTd).toString('hex'),
        rtmr3: Buffer.from(td.rtMr3).toString('hex'),
        reportData: Buffer.from(td.reportData).toString('hex'),
    };
}

main().then(r => console.log(JSON.stringify(r)))
    .catch(e => console.log(JSON.stringify({ ok: false, error: String(e && e.message || e) })));
