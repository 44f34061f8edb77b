import { runActionCommand } from "./run-action-command.js";
import { OwnerLookupError } from "./errors.js";

/**
 * Owner specs (`"bot:bot"`, `"1000:1000"`, `"bot"`) turned into numeric ids, and a user's credentials (uid and
 * every group) for permission checks. Names go through `getent`, so NSS sources (LDAP, sssd) work like local users.
 */
export interface OwnerIds {
  uid: number;
  gid: number;
  /** As written (`bot:bot`), or `uid:gid` when derived from a folder's owner. */
  label: string;
}

/** What the kernel checks a process against: its uid, primary gid and supplementary groups. */
export interface Credentials extends OwnerIds {
  groups: number[];
}

export interface OwnerResolver {
  /** `"user:group"`, `"uid:gid"` or `"user"` (the user's primary group) → ids. */
  resolveOwner(spec: string): Promise<OwnerIds>;
  /** The credentials a process of that user would run with. */
  resolveCredentials(owner: OwnerIds): Promise<Credentials>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;
const NUMBER = /^\d+$/;
const LOOKUP_TIMEOUT_MS = 5000;

/** A resolver with its own cache (users rarely change while vigia runs; a restart refreshes). */
export function createOwnerResolver(): OwnerResolver {
  const owners = new Map<string, Promise<OwnerIds>>();
  const credentials = new Map<string, Promise<Credentials>>();

  function resolveOwner(spec: string): Promise<OwnerIds> {
    let cached = owners.get(spec);
    if (!cached) {
      cached = lookupOwner(spec);
      owners.set(spec, cached);
      cached.catch(() => owners.delete(spec)); // a transient getent failure must not stick
    }
    return cached;
  }

  function resolveCredentials(owner: OwnerIds): Promise<Credentials> {
    const key = `${owner.uid}:${owner.gid}`;
    let cached = credentials.get(key);
    if (!cached) {
      cached = lookupCredentials(owner);
      credentials.set(key, cached);
    }
    return cached;
  }

  return { resolveOwner, resolveCredentials };
}

async function lookupOwner(spec: string): Promise<OwnerIds> {
  const [userPart = "", groupPart, ...rest] = String(spec).split(":");
  if (rest.length > 0 || userPart === "") throw new OwnerLookupError(spec, "expected 'user:group', 'uid:gid' or 'user'");
  const user = NUMBER.test(userPart) ? { uid: Number(userPart), gid: null as number | null } : await lookupUser(spec, userPart);
  let gid: number;
  if (groupPart === undefined || groupPart === "") {
    const primary = user.gid ?? (await lookupUser(spec, userPart).catch(() => null))?.gid ?? null;
    if (primary === null) throw new OwnerLookupError(spec, `no group given and uid ${userPart} has no passwd entry`);
    gid = primary;
  } else {
    gid = NUMBER.test(groupPart) ? Number(groupPart) : await lookupGroup(spec, groupPart);
  }
  return { uid: user.uid, gid, label: spec };
}

async function lookupUser(spec: string, name: string): Promise<{ uid: number; gid: number }> {
  if (!NAME.test(name) && !NUMBER.test(name)) throw new OwnerLookupError(spec, `'${name}' is not a valid user name`);
  const fields = await getent(spec, "passwd", name);
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new OwnerLookupError(spec, `unreadable passwd entry for '${name}'`);
  return { uid, gid };
}

async function lookupGroup(spec: string, name: string): Promise<number> {
  if (!NAME.test(name)) throw new OwnerLookupError(spec, `'${name}' is not a valid group name`);
  const fields = await getent(spec, "group", name);
  const gid = Number(fields[2]);
  if (!Number.isInteger(gid)) throw new OwnerLookupError(spec, `unreadable group entry for '${name}'`);
  return gid;
}

/** `getent DB KEY` → the entry's colon-separated fields; exit 2 means "no such entry". */
async function getent(spec: string, database: "passwd" | "group", key: string): Promise<string[]> {
  const outcome = await runActionCommand(["getent", database, key], {
    timeoutMs: LOOKUP_TIMEOUT_MS,
    killGraceMs: 500,
    maxOutputBytes: 4096,
  });
  if (outcome.exitCode === 2) throw new OwnerLookupError(spec, `no ${database === "passwd" ? "user" : "group"} '${key}'`);
  if (!outcome.ok) throw new OwnerLookupError(spec, outcome.shortMessage);
  return outcome.stdoutTail.trim().split("\n")[0]!.split(":");
}

/** `id -G uid` lists the user's groups; a uid without a passwd entry is assumed to run with the gid it was given. */
async function lookupCredentials(owner: OwnerIds): Promise<Credentials> {
  const outcome = await runActionCommand(["id", "-G", String(owner.uid)], {
    timeoutMs: LOOKUP_TIMEOUT_MS,
    killGraceMs: 500,
    maxOutputBytes: 4096,
  });
  // The user's real groups (from passwd/group), not the owner spec's group: the bot may not belong to the group
  // its folders are given.
  const listed = outcome.ok ? outcome.stdoutTail.trim().split(/\s+/).filter((word) => NUMBER.test(word)).map(Number) : [];
  return { ...owner, groups: listed.length > 0 ? listed : [owner.gid] };
}
