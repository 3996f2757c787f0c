/**
 * The key SETs are signed with (RFC 8417 §5, JWS ES256 through `jose`): one per deployment, made
 * on first use and kept in the store's server secrets (`Store.secret`), so that every instance and
 * restart signs with the same key; its public half is published at GET /events/jwks.json, and its
 * `kid` names it in each SET's header. A store without server secrets gets a key for the life of
 * the process (receivers then fetch the JWKS again after a restart: `kid` changes).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from "jose";
import type { SetClaims } from "./events-model";
import type { Store } from "./ports/store";

const SECRET_NAME = "events-signing-key-es256";
export const SET_ALG = "ES256";

export interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

const loaded = new WeakMap<object, Promise<SigningKey>>();

async function makeJwk(): Promise<string> {
  const { privateKey } = await generateKeyPair(SET_ALG, { extractable: true });
  return JSON.stringify(await exportJWK(privateKey));
}

async function load(store: Store): Promise<SigningKey> {
  const fresh = await makeJwk();
  const stored = store.secret ? await store.secret(SECRET_NAME, () => fresh) : fresh;
  const jwk = JSON.parse(stored) as JWK;
  const { d: _private, ...pub } = jwk;
  const kid = await calculateJwkThumbprint(pub);
  return { kid, privateKey: await importJWK(jwk, SET_ALG), publicJwk: { ...pub, kid, alg: SET_ALG, use: "sig" } };
}

/** The deployment's signing key (read once per store object). */
export function signingKey(store: Store): Promise<SigningKey> {
  let key = loaded.get(store);
  if (!key) {
    key = load(store);
    key.catch(() => loaded.delete(store));
    loaded.set(store, key);
  }
  return key;
}

/** GET /events/jwks.json. */
export async function publishedKeys(store: Store): Promise<{ keys: JWK[] }> {
  return { keys: [(await signingKey(store)).publicJwk] };
}

/** A SET (RFC 8417) as a compact JWS: typ secevent+jwt, the row's claims plus `iss` and `aud`. */
export async function signSet(store: Store, claims: SetClaims, iss: string, aud: string): Promise<string> {
  const key = await signingKey(store);
  return new SignJWT({ ...claims, iss, aud } as unknown as Record<string, unknown>)
    .setProtectedHeader({ alg: SET_ALG, typ: "secevent+jwt", kid: key.kid })
    .sign(key.privateKey);
}
