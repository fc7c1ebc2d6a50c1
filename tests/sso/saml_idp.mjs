// A real SAML 2.0 identity provider for the test suite, built on samlify (npm): it reads
// the service provider's AuthnRequest (HTTP-Redirect binding), shows its own sign-in page
// and answers with a signed Response (HTTP-POST binding) carrying the person's attributes.
//
// Started by tests/sso/servers.py. Configuration comes from the environment:
//   SAML_TEST_CONFIG   JSON: {sp_entity_id, acs_url, cert_pem, key_pem}
//   SAML_TEST_ACCOUNTS path of a JSON file {login: {uid, email, email_verified, first_name,
//                      last_name}}, read again at every sign-in; a missing key is a missing
//                      attribute.
// It listens on 127.0.0.1 on a free port and prints "LISTENING <port>" once ready.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";

import saml from "samlify";

const config = JSON.parse(process.env.SAML_TEST_CONFIG);
const accountsFile = process.env.SAML_TEST_ACCOUNTS;
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const ATTRIBUTES = ["uid", "email", "email_verified", "first_name", "last_name"];

// Schema validation of the SP's request is not what these tests are about (our side is
// checked by python3-saml); samlify insists on a validator, so this one accepts.
saml.setSchemaValidator({ validate: async () => "skipped" });

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, status, title, body) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><main><h1>${title}</h1>${body}</main></body></html>`,
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function responseTemplate(account) {
  const values = ATTRIBUTES.filter((name) => name in account)
    .map(
      (name) =>
        `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
        `<saml:AttributeValue xsi:type="xs:string">${escapeHtml(account[name])}</saml:AttributeValue>` +
        `</saml:Attribute>`,
    )
    .join("");
  return (
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
    "<saml:Issuer>{Issuer}</saml:Issuer>" +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
    "<saml:Issuer>{Issuer}</saml:Issuer>" +
    '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{NameID}</saml:NameID>' +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Destination}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>' +
    '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
    '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
    `<saml:AttributeStatement>${values}</saml:AttributeStatement>` +
    "</saml:Assertion></samlp:Response>"
  );
}

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  const idp = saml.IdentityProvider({
    entityID: `${base}/metadata`,
    signingCert: config.cert_pem,
    privateKey: config.key_pem,
    wantAuthnRequestsSigned: false,
    singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }],
  });
  const sp = saml.ServiceProvider({
    entityID: config.sp_entity_id,
    assertionConsumerService: [{ Binding: POST, Location: config.acs_url }],
    wantAssertionsSigned: false,
    wantMessageSigned: true,
  });

  server.on("request", async (req, res) => {
    const url = new URL(req.url, base);
    try {
      if (url.pathname === "/metadata") {
        res.writeHead(200, { "Content-Type": "application/xml" });
        return res.end(idp.getMetadata());
      }
      if (url.pathname === "/sso" && req.method === "GET") {
        const hidden = ["SAMLRequest", "RelayState"]
          .filter((name) => url.searchParams.has(name))
          .map(
            (name) =>
              `<input type="hidden" name="${name}" value="${escapeHtml(url.searchParams.get(name))}">`,
          )
          .join("");
        return page(
          res,
          200,
          "Sign in to the SAML test provider",
          `<form method="post" action="/sso/login">${hidden}` +
            `<label for="login">Username</label> <input id="login" name="login" autofocus>` +
            `<button type="submit">Sign in at the provider</button></form>`,
        );
      }
      if (url.pathname === "/sso/login" && req.method === "POST") {
        const form = await readForm(req);
        const accounts = JSON.parse(readFileSync(accountsFile, "utf8"));
        const account = accounts[form.get("login") || ""];
        if (!account) return page(res, 200, "Sign in to the SAML test provider", "<p>Unknown user.</p>");
        const query = { SAMLRequest: form.get("SAMLRequest") };
        if (form.has("RelayState")) query.RelayState = form.get("RelayState");
        const request = await idp.parseLoginRequest(sp, "redirect", { query });
        const now = new Date();
        const later = new Date(now.getTime() + 5 * 60 * 1000);
        const { context } = await idp.createLoginResponse(
          sp,
          request,
          "post",
          { email: account.email },
          {
            customTagReplacement: (template) => {
              const id = `_${randomUUID()}`;
              return {
                id,
                context: saml.SamlLib.replaceTagsByValue(responseTemplate(account), {
                  ID: id,
                  AssertionID: `_${randomUUID()}`,
                  IssueInstant: now.toISOString(),
                  NotBefore: now.toISOString(),
                  NotOnOrAfter: later.toISOString(),
                  Destination: config.acs_url,
                  InResponseTo: request.extract.request.id,
                  Issuer: `${base}/metadata`,
                  NameID: account.uid,
                  Audience: config.sp_entity_id,
                  SessionIndex: `_${randomUUID()}`,
                }),
              };
            },
          },
        );
        const relay = form.has("RelayState")
          ? `<input type="hidden" name="RelayState" value="${escapeHtml(form.get("RelayState"))}">`
          : "";
        return page(
          res,
          200,
          "Returning to the application",
          `<form method="post" action="${escapeHtml(config.acs_url)}">` +
            `<input type="hidden" name="SAMLResponse" value="${escapeHtml(context)}">${relay}` +
            `<button type="submit">Continue to the application</button></form>`,
        );
      }
      return page(res, 404, "Not found", "");
    } catch (error) {
      return page(res, 400, "SAML test provider error", `<p>${escapeHtml(error.message)}</p>`);
    }
  });
  process.stdout.write(`LISTENING ${port}\n`);
});
