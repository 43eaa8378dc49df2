/**
 * One codec competitor. `setup` imports keys once (every adapter gets a cached key: the
 * comparison is of formats and code paths, not of key derivation per call), checks that a
 * round trip returns the session it was given, and hands back the two operations measured.
 */
import { deepStrictEqual } from 'node:assert/strict';
import type { Role } from '../lib/http-table.ts';
import { SESSION } from '../lib/fixture.ts';

export interface CodecOps {
  /** Encode the session, then decode the result. */
  roundTrip(): Promise<unknown>;
  /** Decode one fixed, valid value. */
  decode(): Promise<unknown>;
  /** A value as this codec writes it, to report its size. */
  sample: string;
}

export interface CodecAdapter {
  name: string;
  role: Role;
  setup(): Promise<CodecOps>;
}

/**
 * The ops of a codec whose values are strings, after checking that a round trip gives the
 * session back: encode + decode of SESSION, and decode of one value made once here.
 */
export async function textCodecOps(encode: (data: unknown) => Promise<string>, decode: (value: string) => Promise<unknown>): Promise<CodecOps> {
  const fixed = await encode(SESSION);
  deepStrictEqual(await decode(fixed), SESSION);
  return {
    roundTrip: async () => decode(await encode(SESSION)),
    decode: () => decode(fixed),
    sample: fixed,
  };
}
