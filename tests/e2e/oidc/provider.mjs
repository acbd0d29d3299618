// A local OpenID Connect provider for the sign-in browser test (tests/e2e/test_sign_in.py), on 127.0.0.1 only.
// panva's oidc-provider (OpenID Certified), with its development login page: any user named in OIDC_USERS signs in
// with any password. The ID token carries the claims Microsoft Entra ID would: name, email, oid and groups.
//
//   OIDC_PORT=9400 OIDC_CLIENT='{"client_id":..., "client_secret":..., "redirect_uri":...}' \
//   OIDC_USERS='{"ann": {"name": "Ann", "email": "...", "oid": "...", "groups": ["..."]}}' node provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const client = JSON.parse(process.env.OIDC_CLIENT);
const users = JSON.parse(process.env.OIDC_USERS);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uris: [client.redirect_uri],
      post_logout_redirect_uris: [client.post_logout_redirect_uri ?? client.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  // claims listed under 'openid' are always released; conformIdTokenClaims: false puts them in the ID token,
  // which is where Streamlit (Authlib) reads the user from
  claims: { openid: ['sub', 'oid', 'groups'], profile: ['name'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['a test-only cookie key, never used elsewhere'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...user }; } };
  },
  // a first-party app: no consent screen
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
