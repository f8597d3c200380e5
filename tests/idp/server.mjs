// Real identity providers on loopback, for Cairn's single sign-on tests and
// `make sso-demo`: an OpenID Connect provider (oidc-provider) and a SAML 2.0
// identity provider (samlify), both signing with their own keys.
//
//   node server.mjs [config.json]
//
// The config (all optional): {"host", "oidcPort", "samlPort", "clientId",
// "clientSecret", "users": {"ada": {"email", "email_verified", "given_name",
// "family_name", "groups": [...]}}}. Port 0 picks a free one. Once listening,
// one JSON line on stdout says where each provider is.
//
// Test-only controls on the SAML port (never in a real IdP):
//   POST /admin/users  {"ada": {...}}     add or replace people
//   POST /admin/mode   {"saml": "expired" | "wrong-audience" | null,
//                       "oidc": "wrong-audience" | "bad-signature" | null}
import { readFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

import * as jose from "jose";
import Provider from "oidc-provider";
import * as samlify from "samlify";

const here = dirname(fileURLToPath(import.meta.url));
const config = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], "utf8")) : {};
const host = config.host ?? "127.0.0.1";
const users = { ...(config.users ?? {}) };
const mode = { saml: null, oidc: null };

const escape = (text) =>
  String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

function listen(server, port) {
  return new Promise((resolve) => {
    server.listen(port ?? 0, host, () => resolve(server.address().port));
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function page(res, status, title, body) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
      `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`,
  );
}

// ---------------------------------------------------------------- OpenID Connect

const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: "cairn-test", alg: "RS256", use: "sig" };

const oidcServer = http.createServer();
const oidcPort = await listen(oidcServer, config.oidcPort);
const issuer = `http://${host}:${oidcPort}`;

const oidc = new Provider(issuer, {
  clients: [
    {
      client_id: config.clientId ?? "cairn",
      client_secret: config.clientSecret ?? "cairn-test-secret",
      redirect_uris: ["http://localhost/unused"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [signingJwk] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["given_name", "family_name", "name", "groups"],
  },
  async findAccount(ctx, id) {
    if (!users[id]) return undefined;
    return {
      accountId: id,
      async claims() {
        const person = users[id];
        return { sub: id, name: `${person.given_name ?? ""} ${person.family_name ?? ""}`.trim(), ...person };
      },
    };
  },
  // First-party test provider: no consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    grant.addOIDCClaims(["email", "email_verified", "given_name", "family_name", "name", "groups"]);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
});
// Cairn's test server listens on a new port each run: any redirect URI will do here.
oidc.Client.prototype.redirectUriAllowed = () => true;

// The test-only forgeries, made on the token endpoint's real answer.
oidc.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || ctx.status !== 200 || !mode.oidc || !ctx.body?.id_token) return;
  const token = ctx.body.id_token;
  if (mode.oidc === "bad-signature") {
    const [head, payload, signature] = token.split(".");
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    ctx.body = { ...ctx.body, id_token: `${head}.${payload}.${flipped}` };
  } else if (mode.oidc === "wrong-audience") {
    const claims = jose.decodeJwt(token);
    const resigned = await new jose.SignJWT({ ...claims, aud: "another-service" })
      .setProtectedHeader({ alg: "RS256", kid: signingJwk.kid })
      .sign(privateKey);
    ctx.body = { ...ctx.body, id_token: resigned };
  }
});
oidcServer.on("request", oidc.callback());

// ---------------------------------------------------------------------- SAML 2.0

samlify.setSchemaValidator({ validate: async () => "skipped (test IdP)" });
const samlServer = http.createServer();
const samlPort = await listen(samlServer, config.samlPort);
const samlBase = `http://${host}:${samlPort}`;
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const idp = samlify.IdentityProvider({
  entityID: `${samlBase}/metadata`,
  signingCert: readFileSync(join(here, "saml-idp.crt"), "utf8"),
  privateKey: readFileSync(join(here, "saml-idp.key"), "utf8"),
  singleSignOnService: [{ Binding: REDIRECT, Location: `${samlBase}/sso` }],
  nameIDFormat: ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"],
  wantAuthnRequestsSigned: false,
});

const ATTRIBUTES = [
  ["email", "urn:oid:0.9.2342.19200300.100.1.3"],
  ["given_name", "urn:oid:2.5.4.42"],
  ["family_name", "urn:oid:2.5.4.4"],
  ["email_verified", "email_verified"],
  ["groups", "groups"],
];

function attributeStatement(person) {
  const attributes = ATTRIBUTES.filter(([key]) => person[key] !== undefined).map(([key, name]) => {
    const values = Array.isArray(person[key]) ? person[key] : [person[key]];
    return (
      `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
      values.map((value) => `<saml:AttributeValue xsi:type="xs:string">${escape(value)}</saml:AttributeValue>`).join("") +
      "</saml:Attribute>"
    );
  });
  return `<saml:AttributeStatement>${attributes.join("")}</saml:AttributeStatement>`;
}

async function samlResponse(query, username) {
  // A test IdP trusts any service provider: it answers the one that asked.
  const xml = inflateRawSync(Buffer.from(query.SAMLRequest, "base64")).toString("utf8");
  const asked = (pattern) => xml.match(pattern)?.[1]?.replaceAll("&amp;", "&");
  const sp = samlify.ServiceProvider({
    entityID: asked(/<(?:\w+:)?Issuer[^>]*>([^<]+)</),
    assertionConsumerService: [
      { Binding: POST, Location: asked(/AssertionConsumerServiceURL="([^"]+)"/) },
    ],
    wantAssertionsSigned: true,
    wantMessageSigned: true,
  });
  const request = await idp.parseLoginRequest(sp, "redirect", { query });
  const extract = request.extract;
  const acs = extract.request.assertionConsumerServiceUrl;
  const person = users[username];
  const now = new Date();
  let notBefore = now;
  let notOnOrAfter = new Date(now.getTime() + 5 * 60 * 1000);
  let audience = extract.issuer;
  if (mode.saml === "expired") {
    notBefore = new Date(now.getTime() - 20 * 60 * 1000);
    notOnOrAfter = new Date(now.getTime() - 10 * 60 * 1000);
  } else if (mode.saml === "wrong-audience") {
    audience = "https://another-service.example/saml/metadata";
  }
  const id = `_${crypto.randomUUID()}`;
  const assertionId = `_${crypto.randomUUID()}`;
  const values = {
    ID: id,
    AssertionID: assertionId,
    Destination: acs,
    Audience: audience,
    SubjectRecipient: acs,
    Issuer: idp.entityMeta.getEntityID(),
    IssueInstant: now.toISOString(),
    StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
    ConditionsNotBefore: notBefore.toISOString(),
    ConditionsNotOnOrAfter: notOnOrAfter.toISOString(),
    SubjectConfirmationDataNotOnOrAfter: notOnOrAfter.toISOString(),
    NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    NameID: `saml-${username}`,
    InResponseTo: extract.request.id,
  };
  const authn =
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${assertionId}">` +
    "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport" +
    "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>";
  const { context } = await idp.createLoginResponse(sp, request, "post", person, (template) => {
    let xml = template.replace("{AuthnStatement}", authn).replace("{AttributeStatement}", attributeStatement(person));
    for (const [key, value] of Object.entries(values)) xml = xml.replaceAll(`{${key}}`, escape(value));
    return { id, context: xml };
  });
  return { acs, context };
}

samlServer.on("request", async (req, res) => {
  const url = new URL(req.url, samlBase);
  try {
    if (url.pathname === "/metadata") {
      res.writeHead(200, { "Content-Type": "application/samlmetadata+xml" });
      res.end(idp.getMetadata());
    } else if (url.pathname === "/sso" && req.method === "GET") {
      const hidden = ["SAMLRequest", "RelayState"]
        .filter((name) => url.searchParams.has(name))
        .map((name) => `<input type="hidden" name="${name}" value="${escape(url.searchParams.get(name))}">`)
        .join("");
      page(
        res,
        200,
        "Test SAML identity provider: sign in",
        `<form method="post" action="/sso/login">${hidden}<label for="username">Username</label>` +
          `<input id="username" name="username" autofocus><button type="submit">Sign in</button></form>`,
      );
    } else if (url.pathname === "/sso/login" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const username = form.get("username") ?? "";
      if (!users[username]) {
        page(res, 400, "Unknown user", `<p>No user ${escape(username)} at this test IdP.</p>`);
        return;
      }
      const query = { SAMLRequest: form.get("SAMLRequest") };
      const { acs, context } = await samlResponse(query, username);
      const relay = form.get("RelayState");
      page(
        res,
        200,
        "Signing you in",
        `<form id="saml" method="post" action="${escape(acs)}">` +
          `<input type="hidden" name="SAMLResponse" value="${escape(context)}">` +
          (relay ? `<input type="hidden" name="RelayState" value="${escape(relay)}">` : "") +
          `<button type="submit">Continue</button></form>` +
          `<script>document.getElementById("saml").submit()</script>`,
      );
    } else if (url.pathname === "/admin/users" && req.method === "POST") {
      Object.assign(users, JSON.parse(await readBody(req)));
      res.writeHead(204).end();
    } else if (url.pathname === "/admin/mode" && req.method === "POST") {
      Object.assign(mode, JSON.parse(await readBody(req)));
      res.writeHead(204).end();
    } else {
      page(res, 404, "Not found", "");
    }
  } catch (error) {
    page(res, 500, "Test IdP error", `<pre>${escape(error.stack ?? error)}</pre>`);
  }
});

process.stdout.write(
  `${JSON.stringify({
    oidc: { issuer, discovery: `${issuer}/.well-known/openid-configuration` },
    saml: { entityId: `${samlBase}/metadata`, metadata: `${samlBase}/metadata`, admin: samlBase },
  })}\n`,
);
