"""Single sign-on through OpenID Connect and SAML 2.0 (allauth's providers, with our
provider classes).

What this adds to allauth, and why:

- The browser's Content-Security-Policy allows form navigation to exactly the configured
  providers' origins (``SsoFormActionMiddleware``): the "Sign in with ..." button POSTs to
  us and our answer redirects to the provider, which ``form-action 'self'`` alone blocks.
  A provider whose pages live on another origin (one added in the admin, or whose
  authorization endpoint is elsewhere) gets a "Continue to ..." page with a plain link.
- A ``nonce`` goes out with every authorization request and must come back in the ID
  token; the ID token's signature is always checked against the provider's keys.
- Provider endpoints must be https outside DEBUG (plain http on this machine only when
  SSO_ALLOW_HTTP_LOOPBACK is on, as in the tests).
- ``email_verified`` is the provider's word; OIDC_EMAIL_VERIFIED only fills a missing claim.
- A provider that is down, hanging or misconfigured gives a page that says so, with the
  way back to sign-in, within the timeouts in settings (never a 500).
- Linking a first SSO sign-in to an existing staff, coordinator or HR account needs that
  account's second factor (``sso_link_confirm``); an admin can link instead.
- Re-authentication through the provider (``sso_reauthenticate``), so people without a
  password can still set up two-factor authentication.
- Sign-out ends the provider's session too when it offers an ``end_session_endpoint``.

The callback URL is built from SITE_URL (``callback_url``), never from the request's host.

Modules: ``providers`` (our OpenID Connect and SAML provider classes, named in
SOCIALACCOUNT_PROVIDERS), ``signin`` (what a sign-in checks and leaves in the session,
called by mentoring.accounts and mentoring.receivers), ``views`` (callback, linking,
re-authentication), ``problems`` (the error pages), ``origins`` (https and the
providers' origins) and ``middleware`` (``SsoFormActionMiddleware``).
"""
