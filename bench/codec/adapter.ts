/**
 * One codec competitor. `setup` imports keys once (every adapter gets a cached key: the
 * comparison is of formats and code paths, not of key derivation per call), checks that a
 * round trip returns the session it was given, and hands back the two operations measured.
 */
import type { Role } from '../lib/http-table.ts';

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
