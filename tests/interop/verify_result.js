// Verify a mynareader result (tagged COSE_Sign1, ES256) with cose-js, as an integrator without Python would.
// Usage: node verify_result.js DEVICE_PUB.pem RESULT.cose
// Prints the verified payload (the CBOR claim set) in hex and exits 0; exits 1 if the signature does not verify.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const cose = require('cose-js');

const [pemPath, resultPath] = process.argv.slice(2);
const jwk = crypto.createPublicKey(fs.readFileSync(pemPath)).export({ format: 'jwk' });
if (jwk.crv !== 'P-256') {
  console.error('not a P-256 key');
  process.exit(2);
}
const verifier = { key: { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') } };
cose.sign.verify(fs.readFileSync(resultPath), verifier)
  .then((payload) => { console.log(payload.toString('hex')); })
  .catch((err) => { console.error('rejected: ' + err.message); process.exit(1); });
