#!/usr/bin/env node
// An OpenID4VCI wallet for Cairn's tests: Sphereon's maintained client
// (@sphereon/oid4vci-client, draft 15) takes a credential offer by reference
// through the pre-authorized code flow, with keys made here.
//
// Usage: node wallet.mjs INPUT.json
//   INPUT = {"offerUri": "openid-credential-offer://?credential_offer_uri=...",
//            "txCode": "123456" or "", "method": "did:key" | "did:jwk",
//            "alg": "EdDSA" | "ES256"}
// Prints one JSON line {"did", "kid", "issuer", "configurationIds",
// "tokenType", "credentials"}; on a refusal it exits 1 with the error.
import {readFileSync} from 'node:fs';

import {driver as didJwkDriver} from '@digitalbazaar/did-method-jwk';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {OpenID4VCIClientV1_0_15} from '@sphereon/oid4vci-client';
import * as jose from 'jose';

// The holder's key and the DID naming it, made by the DID method libraries
// from the public key, not by Cairn's code.
async function holderKey(method, alg) {
  const {privateKey, publicKey} = await jose.generateKeyPair(
    alg === 'EdDSA' ? 'Ed25519' : 'ES256', {extractable: true});
  const jwk = await jose.exportJWK(publicKey);
  if(method === 'did:key') {
    const keyPair = alg === 'EdDSA' ?
      await Ed25519Multikey.fromJwk({jwk}) : await EcdsaMultikey.fromJwk({jwk});
    const did = `did:key:${keyPair.publicKeyMultibase}`;
    return {did, kid: `${did}#${keyPair.publicKeyMultibase}`, privateKey};
  }
  const {didDocument} = await didJwkDriver().fromJwk({jwk});
  return {did: didDocument.id, kid: didDocument.verificationMethod[0].id, privateKey};
}

async function main() {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const {did, kid, privateKey} = await holderKey(input.method, input.alg);
  const client = await OpenID4VCIClientV1_0_15.fromURI({
    uri: input.offerUri, kid, alg: input.alg, retrieveServerMetadata: true,
  });
  const configurationIds = client.getCredentialOfferConfigurationIds();
  const token = await client.acquireAccessToken(
    input.txCode ? {pin: input.txCode} : {});
  // Draft 15's nonce endpoint, for the c_nonce the proof must carry.
  await client.acquireNonce();
  const signCallback = async (jwt) => new jose.CompactSign(
    new TextEncoder().encode(JSON.stringify(jwt.payload)))
    .setProtectedHeader(jwt.header)
    .sign(privateKey);
  const response = await client.acquireCredentials({
    credentialConfigurationId: configurationIds[0],
    proofCallbacks: {signCallback},
    format: 'ldp_vc',
    kid,
    alg: input.alg,
  });
  process.stdout.write(JSON.stringify({
    did, kid,
    issuer: client.getIssuer(),
    configurationIds,
    tokenType: token.token_type,
    credentials: response.credentials.map(entry => entry.credential),
  }) + '\n');
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
