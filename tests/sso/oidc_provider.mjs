// A real OpenID Connect provider for the test suite: panva's oidc-provider (npm), with a
// login page of its own, consent skipped for our one client, RP-initiated logout, PKCE.
//
// Started by tests/sso/servers.py. Configuration comes from the environment:
//   OIDC_TEST_CLIENT   JSON: {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   OIDC_TEST_ACCOUNTS path of a JSON file {login: {sub, email, email_verified, name, amr, acr}},
//                      read again at every sign-in so a test can change it between runs.
// It listens on 127.0.0.1 on a free port and prints "LISTENING <port>" once ready.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const client = JSON.parse(process.env.OIDC_TEST_CLIENT);
const accountsFile = process.env.OIDC_TEST_ACCOUNTS;

function accounts() {
  return JSON.parse(readFileSync(accountsFile, "utf8"));
}

function accountBySub(sub) {
  return Object.values(accounts()).find((account) => account.sub === sub);
}

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

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.client_id,
        client_secret: client.client_secret,
        redirect_uris: client.redirect_uris,
        post_logout_redirect_uris: client.post_logout_redirect_uris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    cookies: { keys: ["test-only-cookie-key-0123456789abcdef"] },
    claims: {
      // With conformIdTokenClaims the ID token carries the openid scope's claims only:
      // acr and amr (how the person signed in, from the login result) belong there.
      openid: ["sub", "acr", "amr", "auth_time"],
      sid: null,
      iss: null,
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accountBySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub, email: account.email, name: account.name };
          // A claim left out of the account file is left out of the answer.
          if ("email_verified" in account) claims.email_verified = account.email_verified;
          return claims;
        },
      };
    },
    // Our one client is first-party: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  server.on("request", async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "POST" && match[2]) {
        const form = await readForm(req);
        const account = accounts()[form.get("login") || ""];
        if (!account) {
          return page(res, 200, "Sign in to the test provider", "<p>Unknown user.</p>");
        }
        const login = { accountId: account.sub };
        if (account.amr) login.amr = account.amr;
        if (account.acr) login.acr = account.acr;
        return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
      }
      return page(
        res,
        200,
        "Sign in to the test provider",
        `<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">` +
          `<label for="login">Username</label> <input id="login" name="login" autofocus>` +
          `<button type="submit">Sign in at the provider</button></form>`,
      );
    } catch (error) {
      return page(res, 400, "Interaction failed", `<p>${escapeHtml(error.message)}</p>`);
    }
  });
  process.stdout.write(`LISTENING ${port}\n`);
});
