#!/usr/bin/env python3
"""Recompute a Prakerja selection draw from its published bundle.

An independent second implementation of prakerja-selection-v1 and
prakerja-selection-v2, written from selection-v1/SPEC.md and
selection-v2/SPEC.md with nothing but the Python 3 standard library, so
that anyone who distrusts the programme's binaries can read it in one
sitting and check a draw themselves.

    python3 verify_draw.py BUNDLE_DIR
    python3 verify_draw.py BUNDLE_DIR --registration-id YOUR-REGISTRATION-ID

Prints MATCH (exit 0) or MISMATCH with the first differences (exit 1);
exit 2 if the bundle cannot be read. The version is taken from the header
of candidates.csv: `nik,...` is v1, `pid,...` is v2.
"""

import argparse
import csv
import hashlib
import hmac
import json
import os
import re
import sys
import uuid

MASK64 = (1 << 64) - 1
SHOWN = 10  # differences printed at most

# selection-v2/SPEC.md "What changes": everything else is v1.
VERSIONS = {
    "nik": dict(name="prakerja-selection-v1", label=b"PRAKERJA-SELECTION-V1",
                member="nik", family="kk", id_re=re.compile(r"[0-9]{16}\Z")),
    "pid": dict(name="prakerja-selection-v2", label=b"PRAKERJA-SELECTION-V2",
                member="pid", family="fid", id_re=re.compile(r"[0-9a-f]{32}\Z")),
}
REQUIRED = ["algorithm", "wave_id", "commitment", "seed", "input_digest",
            "output_digest", "quotas", "selected", "waitlist", "kk_cap"]


class Unreadable(Exception):
    """The bundle is missing a file or holds a malformed value (exit 2)."""


# ---------------------------------------------------------------- ChaCha20
# SPEC v1 "Why not rand's convenience methods": the ChaCha20 key stream
# (20 rounds, 64-bit block counter from 0, stream 0), read 8 bytes at a
# time as little-endian integers. Written out here after RFC 8439 section
# 2.3, with the 64-bit counter in words 12-13 and a zero nonce in 14-15.

def _rotl(v, n):
    return ((v << n) & 0xFFFFFFFF) | (v >> (32 - n))


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl(s[b] ^ s[c], 7)


class KeyStream:
    """ChaCha20 key stream under a 32-byte key, consumed as u64 words."""

    def __init__(self, key):
        self.key_words = [int.from_bytes(key[i:i + 4], "little") for i in range(0, 32, 4)]
        self.block_no = 0
        self.pending = []

    def _next_block(self):
        n = self.block_no
        start = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *self.key_words,
                 n & 0xFFFFFFFF, n >> 32, 0, 0]
        s = list(start)
        for _ in range(10):  # 20 rounds: a column round and a diagonal round
            _quarter(s, 0, 4, 8, 12); _quarter(s, 1, 5, 9, 13)
            _quarter(s, 2, 6, 10, 14); _quarter(s, 3, 7, 11, 15)
            _quarter(s, 0, 5, 10, 15); _quarter(s, 1, 6, 11, 12)
            _quarter(s, 2, 7, 8, 13); _quarter(s, 3, 4, 9, 14)
        out = [(x + y) & 0xFFFFFFFF for x, y in zip(s, start)]
        self.block_no += 1
        # Eight u64 per block: word 2k is the low half, 2k+1 the high half.
        self.pending = [out[k] | (out[k + 1] << 32) for k in range(14, -1, -2)]

    def next_u64(self):
        if not self.pending:
            self._next_block()
        return self.pending.pop()


def below(stream, m):
    """SPEC step 5: bounded(m), by rejection below t = 2^64 mod m."""
    t = (1 << 64) % m
    while True:
        x = stream.next_u64()
        if x >= t:
            return x % m


# ------------------------------------------------------------------ reading

def read_csv(folder, name, header):
    path = os.path.join(folder, name)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise Unreadable(f"{name}: cannot read: {e}")
    if not rows or rows[0] != header:
        raise Unreadable(f"{name} line 1: header is not {','.join(header)}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise Unreadable(f"{name} line {number}: {len(row)} fields, expected {len(header)}")
    return rows[1:]


def checked(name, line, field, value, pattern):
    if not re.fullmatch(pattern, value):
        raise Unreadable(f"{name} line {line}: {field} {value!r} is malformed")
    return value


def read_bundle(folder):
    try:
        with open(os.path.join(folder, "candidates.csv"), encoding="utf-8") as f:
            first = f.readline().strip().split(",")[0]
        with open(os.path.join(folder, "params.json"), encoding="utf-8") as f:
            params = json.load(f)
    except (OSError, ValueError) as e:
        raise Unreadable(f"cannot read the bundle: {e}")
    if first not in VERSIONS:
        raise Unreadable("candidates.csv line 1: header starts with neither nik nor pid")
    v = VERSIONS[first]
    member, family = v["member"], v["family"]
    idp = v["id_re"].pattern
    people = []
    for line, (m, fam, prov, tier) in enumerate(
            read_csv(folder, "candidates.csv", [member, family, "province", "tier"]), start=2):
        people.append((checked("candidates.csv", line, member, m, idp),
                       checked("candidates.csv", line, family, fam, idp),
                       checked("candidates.csv", line, "province", prov, r"[0-9]{2}\Z"),
                       int(checked("candidates.csv", line, "tier", tier, r"[1-9]\Z"))))
    if len({p[0] for p in people}) != len(people):
        raise Unreadable(f"candidates.csv: a {member} appears twice")
    prior = {}
    if params.get("prior"):
        for line, (fam, count) in enumerate(
                read_csv(folder, params["prior"], [family, "count"]), start=2):
            prior[checked(params["prior"], line, family, fam, idp)] = int(
                checked(params["prior"], line, "count", count, r"[0-9]+\Z"))
    kind, _, amount = str(params.get("allocation", "")).partition(":")
    if kind == "explicit":
        amount = {checked(amount, line, "province", p, r"[0-9]{2}\Z"):
                  int(checked(amount, line, "quota", q, r"[0-9]+\Z"))
                  for line, (p, q) in enumerate(
                      read_csv(folder, amount, ["province", "quota"]), start=2)}
    elif kind in ("national", "proportional") and amount.isdigit():
        amount = int(amount)
    else:
        raise Unreadable(f"params.json: allocation {params.get('allocation')!r} is malformed")
    try:
        secret = bytes.fromhex(params["secret"])
        beacon = bytes.fromhex(params["beacon"])
        wave_id = int(params["wave_id"])
        cap = int(params["kk_cap"])
    except (KeyError, ValueError, TypeError) as e:
        raise Unreadable(f"params.json: {e!r}")
    if len(secret) != 32 or len(beacon) > 64:
        raise Unreadable("params.json: secret must be 32 bytes, beacon at most 64")
    return v, params, dict(wave_id=wave_id, secret=secret, beacon=beacon, kind=kind,
                           amount=amount, cap=cap, prior=prior, people=people)


# -------------------------------------------------------------------- draw

def seat_plan(kind, amount, sizes):
    """SPEC step 3: seats per stratum, from {key: n_p} in key order."""
    if kind == "national":
        return {key: amount for key in sizes}
    if kind == "explicit":
        return {key: amount.get(key, 0) for key in sizes}
    total = sum(sizes.values())
    if amount >= total:
        return dict(sizes)
    seats = {key: amount * n // total for key, n in sizes.items()}
    left = amount - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda key: (-(amount * sizes[key] % total), key))
    for key in by_remainder[:left]:
        seats[key] += 1
    return seats


def run_draw(v, d):
    """SPEC steps 1-7 and Outputs: returns (rows, manifest)."""
    seed = hashlib.sha256(v["label"] + d["wave_id"].to_bytes(4, "big")
                          + d["secret"] + d["beacon"]).digest()            # step 1
    strata = {}                                                             # step 2
    for person in d["people"]:
        key = "00" if d["kind"] == "national" else person[2]
        strata.setdefault(key, []).append(person)
    sizes = {key: len(strata[key]) for key in sorted(strata)}
    seats = seat_plan(d["kind"], d["amount"], sizes)                        # step 3
    held = dict(d["prior"])        # step 7's count[family], shared by strata
    rows = []
    for key in sorted(strata):
        stream = KeyStream(hashlib.sha256(seed + key.encode()).digest())  # step 4
        ranking = []
        for tier in sorted({p[3] for p in strata[key]}):                   # step 6
            a = sorted(p for p in strata[key] if p[3] == tier)
            for i in range(len(a) - 1):
                j = i + below(stream, len(a) - i)
                a[i], a[j] = a[j], a[i]
            ranking += a
        remaining = seats[key]
        for rank, person in enumerate(ranking, start=1):                  # step 7
            if remaining == 0:
                status = "WAITLIST"
            elif d["cap"] > 0 and held.get(person[1], 0) >= d["cap"]:
                status = "KK_CAP"
            else:
                status = "SELECTED"
                held[person[1]] = held.get(person[1], 0) + 1
                remaining -= 1
            rows.append((key, rank, person[0], status))
    quotas = dict(seats)
    if not d["people"] and d["kind"] == "national":
        quotas = {"00": d["amount"]}
    count = {s: sum(1 for r in rows if r[3] == s) for s in ("SELECTED", "WAITLIST", "KK_CAP")}
    manifest = {
        "algorithm": v["name"], "wave_id": d["wave_id"],
        "commitment": hashlib.sha256(d["secret"]).hexdigest(), "seed": seed.hex(),
        "input_digest": input_digest(d["people"]), "output_digest": output_digest(rows),
        "quotas": quotas, "selected": count["SELECTED"], "waitlist": count["WAITLIST"],
        "kk_cap": count["KK_CAP"],
    }
    return rows, manifest


def input_digest(people):
    text = "".join(f"{m},{f},{p},{t}\n" for m, f, p, t in sorted(people))
    return hashlib.sha256(text.encode()).hexdigest()


def output_digest(rows):
    return hashlib.sha256("".join(f"{s},{r},{m},{st}\n" for s, r, m, st in rows).encode()).hexdigest()


def rows_csv(v, rows):
    return f"stratum,rank,{v['member']},status\n" + "".join(f"{s},{r},{m},{st}\n" for s, r, m, st in rows)


# --------------------------------------------------------------- the checks

def derive_pid(registration_id):
    """selection-v2/SPEC.md: first 16 bytes of SHA-256("PRAKERJA-PID-V2" || id)."""
    return hashlib.sha256(b"PRAKERJA-PID-V2" + registration_id.encode()).hexdigest()[:32]


def derivation_problems(folder, params, d):
    """Where a vector ships registrations and the key: every pid and fid must follow."""
    key = bytes.fromhex(params["family_key"])
    found, derived, fids = [], set(), set()
    regs = read_csv(folder, params["registrations"], ["registration_id", "kk", "province", "tier"])
    for line, (rid, kk, prov, tier) in enumerate(regs, start=2):
        fid = hmac.new(key, kk.encode(), hashlib.sha256).hexdigest()[:32]
        derived.add((derive_pid(rid), fid, prov, int(tier)))
        fids.add(fid)
    for line, person in enumerate(d["people"], start=2):
        if person not in derived:
            found.append(f"candidates.csv line {line}: {','.join(map(str, person))} "
                         f"does not follow from {params['registrations']} and the key")
    if len(derived) != len(d["people"]):
        found.append(f"{len(derived)} registrations but {len(d['people'])} candidates")
    found += [f"prior fid {fid} is the fid of no kk in {params['registrations']}"
              for fid in d["prior"] if fid not in fids]
    return found


def compare(folder, v, d, rows, manifest):
    found = []
    published = [(s, int(r), m, st) for s, r, m, st in
                 read_csv(folder, "expected.csv", ["stratum", "rank", v["member"], "status"])]
    if len(published) != len(rows):
        found.append(f"expected.csv has {len(published)} rows, the recomputation {len(rows)}")
    for line, (mine, theirs) in enumerate(zip(rows, published), start=2):
        if mine != theirs:
            found.append(f"expected.csv line {line}: {','.join(map(str, theirs))}, "
                         f"recomputed {','.join(map(str, mine))}")
    try:
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
            stated = json.load(f)  # extra fields (beacon metadata, ...) are ignored
    except (OSError, ValueError) as e:
        raise Unreadable(f"manifest.json: {e}")
    for field in REQUIRED:
        if field not in stated:
            found.append(f"manifest.json lacks {field}")
        elif stated[field] != manifest[field]:
            found.append(f"manifest.json {field}: {stated[field]!r}, recomputed {manifest[field]!r}")
    if stated.get("output_digest") != output_digest(published):
        found.append("manifest.json output_digest is not the digest of expected.csv")
    return found


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle", help="bundle or vector directory")
    ap.add_argument("--registration-id", help="check one applicant's line (v2)")
    ap.add_argument("--write-recomputed", metavar="DIR",
                    help="also write the recomputed expected.csv and manifest.json to DIR")
    args = ap.parse_args(argv)
    try:
        v, params, d = read_bundle(args.bundle)
        if args.registration_id and v["member"] != "pid":
            raise Unreadable("--registration-id needs a v2 bundle (candidates.csv pid,...)")
        rows, manifest = run_draw(v, d)
        problems, notes = [], []
        if params.get("family_key") and params.get("registrations"):
            problems += derivation_problems(args.bundle, params, d)
        problems += compare(args.bundle, v, d, rows, manifest)
        if args.registration_id:
            try:
                rid = str(uuid.UUID(args.registration_id))
            except ValueError:
                raise Unreadable(f"--registration-id {args.registration_id!r} is not a UUID")
            notes, found = applicant(args.bundle, derive_pid(rid), rows)
            problems += found
    except (Unreadable, ValueError, KeyError) as e:
        print(f"UNREADABLE: {e}", file=sys.stderr)
        return 2
    if args.write_recomputed:
        os.makedirs(args.write_recomputed, exist_ok=True)
        with open(os.path.join(args.write_recomputed, "expected.csv"), "w", newline="") as f:
            f.write(rows_csv(v, rows))
        with open(os.path.join(args.write_recomputed, "manifest.json"), "w", newline="") as f:
            f.write(json.dumps(manifest, indent=2) + "\n")
    print(f"{v['name']}: {len(rows)} rows, selected {manifest['selected']}, "
          f"output digest {manifest['output_digest']}")
    for note in notes:
        print(note)
    if problems:
        print("MISMATCH")
        for p in problems[:SHOWN]:
            print(f"  - {p}")
        if len(problems) > SHOWN:
            print(f"  ... and {len(problems) - SHOWN} more")
        return 1
    print("MATCH")
    return 0


def applicant(folder, pid, rows):
    """--registration-id: the applicant's own line, recomputed and published."""
    mine = [r for r in rows if r[2] == pid]
    if not mine:
        return [], [f"pid {pid} is not among the candidates: this registration was not in the draw"]
    stratum, rank, _, status = mine[0]
    notes = [f"pid {pid}: stratum {stratum}, rank {rank}, {status}"]
    published = [r for r in read_csv(folder, "expected.csv", ["stratum", "rank", "pid", "status"])
                 if r[2] == pid]
    if published != [[stratum, str(rank), pid, status]]:
        return notes, [f"expected.csv shows pid {pid} as {published}, recomputed {mine[0]}"]
    return notes + ["your line in expected.csv matches the recomputed draw"], []


if __name__ == "__main__":
    sys.exit(main())
