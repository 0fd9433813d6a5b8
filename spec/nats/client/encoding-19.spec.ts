import { createAccount, createOperator, createUser } from 'nkeys.js';
import { NatsArgumentError, NatsError, nkeyAuthenticator, jwtAuthenticator, credsAuthenticator } from '../../../lib/nats';
import { parseCreds } from '../../../lib/nats/authenticator';
import { encodeOp } from '../../../lib/nats/encoder';
import { toHeaders } from '../../../lib/nats/headers';
import { nkeyFromSeed } from '../../../lib/nats/nkey';
import { NatsParser } from '../../../lib/nats/parser';

const text = (frame: string | Uint8Array): string => (typeof frame === 'string' ? frame : new TextDecoder().decode(frame));

describe('encoding what nats.js users expect (#19)', () => {
  it('writes HPUB with the header block counted in both sizes, and the parser reads it back as an HMSG (#19)', () => {
    const frame = text(encodeOp({ op: 'PUB', subject: 's', reply: 'r', data: new TextEncoder().encode('hi'), headers: { A: ['1', '2'] } }));
    const block = 'NATS/1.0\r\nA: 1\r\nA: 2\r\n\r\n';
    expect(frame).toBe(`HPUB s r ${block.length} ${block.length + 2}\r\n${block}hi\r\n`);
    const [op] = new NatsParser().parse(frame.replace(/^HPUB s r/, 'HMSG s 7 r')).ops;
    expect(op).toMatchObject({ op: 'MSG', sid: 7, reply: 'r', headers: { A: ['1', '2'] } });
  });

  it('writes SUB with max as SUB then UNSUB sid max, in one frame (#19)', () => {
    expect(encodeOp({ op: 'SUB', subject: 'a', sid: 4, max: 10 })).toBe('SUB a 4\r\nUNSUB 4 10\r\n');
    expect(encodeOp({ op: 'SUB', subject: 'a', queue: 'q', sid: 4 })).toBe('SUB a q 4\r\n');
  });

  it('checks headers: names of visible ASCII without ":", values without CR/LF (#19)', () => {
    expect(toHeaders({ A: 'x', B: ['y', 'z'] })).toEqual({ A: ['x'], B: ['y', 'z'] });
    for (const bad of [{ 'a b': 'x' }, { 'a:b': 'x' }, { A: 'x\ny' }, { A: 3 }, { A: ['x', 4] }, null, 'A: x']) {
      expect(() => toHeaders(bad)).toThrow(NatsArgumentError);
    }
  });
});

describe('nkeyFromSeed() (#19)', () => {
  it('derives the public key and signs exactly as nkeys.js does, for user, account and operator seeds (#19)', () => {
    for (const create of [createUser, createAccount, createOperator, createUser, createUser]) {
      const theirs = create();
      const ours = nkeyFromSeed(new TextDecoder().decode(theirs.getSeed()));
      expect(ours.publicKey).toBe(theirs.getPublicKey());
      const data = crypto.getRandomValues(new Uint8Array(24));
      expect(Buffer.from(ours.sign(data)).toString('hex')).toBe(Buffer.from(theirs.sign(data)).toString('hex'));
    }
  });

  it('refuses what is not a seed: a public key, a bad checksum, other characters (#19)', () => {
    const user = createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const flipped = seed.slice(0, 10) + (seed[10] === 'A' ? 'B' : 'A') + seed.slice(11);
    for (const bad of [user.getPublicKey(), flipped, seed.toLowerCase(), 'S', '']) {
      expect(() => nkeyFromSeed(bad)).toThrow(/invalid nkey seed/);
    }
  });
});

describe('authenticators (#19)', () => {
  const user = createUser();
  const seed = new TextDecoder().decode(user.getSeed());

  it('nkeyAuthenticator signs the nonce: the signature verifies against the public key (#19)', () => {
    const auth = nkeyAuthenticator(seed)('nonce-123');
    expect(auth.nkey).toBe(user.getPublicKey());
    const signature = Buffer.from(auth.sig!, 'base64url');
    expect(user.verify(new TextEncoder().encode('nonce-123'), signature)).toBe(true);
    expect(() => nkeyAuthenticator(seed)(undefined)).toThrow(/no nonce/);
  });

  it('credsAuthenticator reads the JWT and the seed of a .creds text (#19)', () => {
    const creds = `-----BEGIN NATS USER JWT-----\neyJhbGc.x.y\n------END NATS USER JWT------\n\n*** IMPORTANT ***\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
    expect(parseCreds(creds)).toEqual({ jwt: 'eyJhbGc.x.y', seed });
    const auth = credsAuthenticator(creds)('n');
    expect(auth).toEqual(jwtAuthenticator('eyJhbGc.x.y', seed)('n'));
    expect(() => credsAuthenticator('no blocks here')).toThrow(NatsError);
  });
});
