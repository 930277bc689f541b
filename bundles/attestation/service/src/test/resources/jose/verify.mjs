// Verifies an EAR JWT issued by teebox with the `jose` npm package, given only the JWKS.
// usage: node verify.mjs TOKEN_FILE JWKS_FILE  -> one JSON line {ok, alg, kid, payload} or {ok: false, error}
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [tokenFile, jwksFile] = process.argv.slice(2);
const token = readFileSync(tokenFile, 'utf8').trim();
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
try {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ['ES384'] });
  console.log(JSON.stringify({ ok: true, alg: protectedHeader.alg, kid: protectedHeader.kid, payload }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: `${e.code || e.name}: ${e.message}` }));
}
