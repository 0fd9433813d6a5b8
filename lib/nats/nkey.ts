import nacl from 'tweetnacl';
import { NatsError } from './errors/nats-error';

/** RFC 4648 base32 alphabet, as nkeys are written (no padding). */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** First byte of every seed's prefix (`S`). */
const SEED_PREFIX = 18 << 3;
/** Public-key prefixes an nkey seed may be for: account, server, cluster, operator, user. */
const KEY_TYPES = new Set([0, 13 << 3, 2 << 3, 14 << 3, 20 << 3]);

/** An nkey, as authentication needs it: its public key (`U…`) and a way to sign with it. */
export interface NKeyPair {
  /** The public key in its text form (`U…` for a user). */
  readonly publicKey: string;
  /** An Ed25519 signature of `data` with the key's private half. */
  sign(data: Uint8Array): Uint8Array;
}

/**
 * The key pair of an nkey seed (`SU…` for a user), as `nsc` and nats-server write them: base32
 * of a two-byte prefix, the 32-byte Ed25519 seed and a CRC-16 (XMODEM, little-endian). The
 * Ed25519 math is tweetnacl's. Throws a {@link NatsError} for anything that is not a valid seed.
 *
 * @example
 * ```ts
 * nkeyFromSeed('SUAM…').publicKey; // 'UD…'
 * ```
 */
export function nkeyFromSeed(seed: string): NKeyPair {
  const raw = checked(base32Decode(seed.trim()), 'seed');
  const prefix = raw[0] & 0xf8;
  const type = ((raw[0] & 0x07) << 5) | ((raw[1] & 0xf8) >> 3);
  if (prefix !== SEED_PREFIX || !KEY_TYPES.has(type) || raw.length !== 34) throw invalid('seed');
  const pair = nacl.sign.keyPair.fromSeed(raw.subarray(2));
  return {
    publicKey: encodeKey(type, pair.publicKey),
    sign: (data) => nacl.sign.detached(data, pair.secretKey),
  };
}

/** `prefix` + `key` + CRC-16, in base32: the text form of a public key. */
function encodeKey(prefix: number, key: Uint8Array): string {
  const payload = new Uint8Array(key.length + 3);
  payload[0] = prefix;
  payload.set(key, 1);
  const crc = crc16(payload.subarray(0, key.length + 1));
  payload[key.length + 1] = crc & 0xff;
  payload[key.length + 2] = crc >> 8;
  return base32Encode(payload);
}

/** The bytes without their trailing CRC-16, once it is checked. */
function checked(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length < 3) throw invalid(what);
  const body = bytes.subarray(0, bytes.length - 2);
  const crc = bytes[bytes.length - 2] | (bytes[bytes.length - 1] << 8);
  if (crc16(body) !== crc) throw invalid(what);
  return body;
}

/** CRC-16/XMODEM (polynomial 0x1021, initial 0), the nkey checksum. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw invalid('seed');
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function invalid(what: string): NatsError {
  return new NatsError(`invalid nkey ${what}`);
}
