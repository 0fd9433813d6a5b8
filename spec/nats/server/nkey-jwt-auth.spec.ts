import { firstValueFrom } from 'rxjs';
import { createUser } from 'nkeys.js';
import { credsAuthenticator, jwtAuthenticator, nkeyAuthenticator, type NatsConnection } from '../../../lib/nats';
import { client, firstN } from '../client/helpers';
import { decentralisedAuth } from './jwt';
import { NatsTestServer } from './server';

const seedOf = (pair: ReturnType<typeof createUser>): string => new TextDecoder().decode(pair.getSeed());

describe('natsConnect() against nats-server: nkey and JWT authentication (#19)', () => {
  const open: NatsConnection[] = [];
  afterEach(() => {
    for (const nc of open.splice(0)) nc.close();
  });

  describe('nkey users', () => {
    const user = createUser();
    let server: NatsTestServer;
    beforeAll(async () => {
      server = await NatsTestServer.start({ extra: [`authorization { users = [ { nkey: ${user.getPublicKey()} } ] }`] });
    });
    afterAll(() => server?.stop());

    it('connects by signing the server nonce with the user seed, and carries messages (#19)', async () => {
      const made = client({ servers: server.wsUrl, authenticator: nkeyAuthenticator(seedOf(user)) });
      open.push(made.nc);
      const got = firstN(made.nc.subscribe('nk.a'), 1);
      await made.log.waitFor('Connected');
      expect(made.nc.info?.nonce).toEqual(expect.any(String));
      await firstValueFrom(made.nc.flush());
      made.nc.publish('nk.a', 'signed');
      expect((await got)[0].string()).toBe('signed');
    });

    it('ends with Closed{fatal} for a seed the server does not know, after one attempt (#19)', async () => {
      const made = client({ servers: server.wsUrl, authenticator: nkeyAuthenticator(seedOf(createUser())) });
      open.push(made.nc);
      const closed = await made.log.waitFor('Closed');
      expect(closed.reason).toBe('fatal');
      expect(String((closed.error as Error).message)).toMatch(/Authorization Violation/i);
      expect(made.log.of('Connecting')).toHaveLength(1);
    });
  });

  describe('JWT users (operator mode)', () => {
    const auth = decentralisedAuth();
    let server: NatsTestServer;
    beforeAll(async () => {
      server = await NatsTestServer.start({ extra: auth.config });
    });
    afterAll(() => server?.stop());

    it.each([
      ['jwtAuthenticator(jwt, seed)', () => jwtAuthenticator(auth.userJwt, auth.userSeed)],
      ['credsAuthenticator(creds)', () => credsAuthenticator(auth.creds)],
    ])('connects with %s and carries messages (#19)', async (_what, authenticator) => {
      const made = client({ servers: server.wsUrl, authenticator: authenticator() });
      open.push(made.nc);
      const got = firstN(made.nc.subscribe('jwt.a'), 1);
      await made.log.waitFor('Connected');
      await firstValueFrom(made.nc.flush());
      made.nc.publish('jwt.a', 'with a jwt');
      expect((await got)[0].string()).toBe('with a jwt');
    });

    it('ends with Closed{fatal} without credentials (#19)', async () => {
      const made = client({ servers: server.wsUrl });
      open.push(made.nc);
      const closed = await made.log.waitFor('Closed');
      expect(closed.reason).toBe('fatal');
    });
  });
});
