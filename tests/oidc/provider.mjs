// A real OpenID Connect provider for the single sign-on tests (panva/oidc-provider, certified).
// Configured by the test fixture through the environment:
//   OIDC_PORT                  the port on 127.0.0.1 to listen on
//   OIDC_CLIENTS               JSON list of client registrations (client_id, secret, redirect URIs)
//   OIDC_ACCOUNTS              JSON object: account id -> its claims (email, name, groups)
//   OIDC_CLOCK_OFFSET_SECONDS  run this provider's clock that far off (negative: slow), for
//                              the expired-token case: nothing else about the provider changes
// Sign-in uses the package's own development login and consent pages (any password): what the
// tests exercise is the protocol, not the provider's user store.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

const offset = Number(process.env.OIDC_CLOCK_OFFSET_SECONDS || 0) * 1000;
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}

const { default: Provider } = await import('oidc-provider');

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_CLIENTS),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomUUID()] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // Put the scopes' claims in the ID token, as Microsoft Entra ID does with its optional claims.
  conformIdTokenClaims: false,
  // Five minutes, so a clock fifteen minutes slow issues tokens that expired ten minutes ago
  // while its login cookies (an hour) still work.
  ttl: { IdToken: 300 },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.proxy = false;
provider.on('server_error', (ctx, error) => console.error('server_error', error));
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
