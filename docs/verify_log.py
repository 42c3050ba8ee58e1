#!/usr/bin/env python3
"""Verify a cutover log without the cutover program (see docs/log-format.md).

usage: verify_log.py LOG [SEQ:HASH]     key: $CUTOVER_LOG_KEY (HMAC-SHA-256)
exit:  0 intact, 1 damaged (first damage as LOG:LINE: error: KIND: ...), 2 unreadable
Also checks every Ed25519 signature against the keys pinned in the open record
(`bad signature`, `unknown key`, `missing signature`).
"""
import base64, datetime, hashlib, hmac, json, os, re, sys

TAIL = re.compile(rb'^(.*),"hash":"([0-9a-f]{64})"}$', re.S)
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("seq", "ts", "kind", "actor", "body", "prev", "hash")
KINDS = {"open", "observe", "gate", "threshold", "step", "decision", "phase", "resume", "close",
         "amend", "review"}

class Dup(dict):
    """A JSON object that remembers whether one of its keys was repeated."""
    dup = False

def pairs(items):
    d = Dup(items)
    names = [k for k, _ in items if k in FIELDS or k == "phase"]
    d.dup = len(names) != len(set(names))
    return d

def no_constant(name):
    raise ValueError(f"{name} is not JSON")

def real_time(ts):
    try: datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ"); return True
    except ValueError: return False

def malformed(rec):
    """Why a parsed line is not a record (bad_json), or None."""
    if rec.dup: return "a member appears twice"
    seq = rec["seq"]
    if type(seq) is not int or not 0 <= seq < 2**64: return "seq is not a non-negative integer"
    if not isinstance(rec["ts"], str) or not TS.match(rec["ts"]) or not real_time(rec["ts"]):
        return "ts is not YYYY-MM-DDTHH:MM:SS.mmmZ"
    if rec["kind"] not in KINDS: return "unknown kind"
    if not isinstance(rec["actor"], str): return "actor is not a string"
    if not isinstance(rec.get("phase"), (str, type(None))): return "phase is not a string or null"
    if not isinstance(rec["prev"], str) or not HEX64.match(rec["prev"]): return "prev is not 64 lowercase hex digits"
    return None

# --- signatures (docs/log-format.md, "Signatures") ---------------------------
# Ed25519 verify: the `cryptography` package when it is installed, else the
# stdlib-only RFC 8032 arithmetic below (slower: a few ms per signature).
try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.exceptions import InvalidSignature
    ED25519 = "cryptography"
except ImportError:
    Ed25519PublicKey, ED25519 = None, "stdlib"

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_I = pow(2, (_P - 1) // 4, _P)

def _add(a, b):
    (x1, y1, z1, t1), (x2, y2, z2, t2) = a, b
    A, B = (y1 - x1) * (y2 - x2) % _P, (y1 + x1) * (y2 + x2) % _P
    C, D = t1 * 2 * _D * t2 % _P, z1 * 2 * z2 % _P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % _P, G * H % _P, F * G % _P, E * H % _P)

def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s:
        if s & 1: q = _add(q, pt)
        pt, s = _add(pt, pt), s >> 1
    return q

def _point(b):
    y = int.from_bytes(b, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= _P: return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P: x = x * _I % _P
    if (x * x - x2) % _P or (x == 0 and sign): return None
    if x & 1 != sign: x = _P - x
    return (x, y, 1, x * y % _P)

_B = _point((4 * pow(5, _P - 2, _P) % _P).to_bytes(32, "little"))

def _same(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0

def ed25519_ok(pub, msg, sig):
    if len(pub) != 32 or len(sig) != 64: return False
    if Ed25519PublicKey:
        try: Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg); return True
        except (InvalidSignature, ValueError): return False
    A, R, s = _point(pub), _point(sig[:32]), int.from_bytes(sig[32:], "little")
    if A is None or R is None or s >= _L: return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pub + msg).digest(), "little") % _L
    return _same(_mul(s, _B), _add(R, _mul(h, A)))

SIG = re.compile(rb',?"signature":\{"alg":"([a-z0-9]+)","key":"([0-9a-f]*)","meaning":"([a-z]+)","value":"([A-Za-z0-9+/=]*)"\}(?=\},"prev":"[0-9a-f]{64}"$)')
MEANING = {"signoff": "approval", "note": "authorship", "issue": "authorship"}

def pinned_keys(open_body):
    keys = {}
    for owner, s in (open_body.get("signers") or {}).items():
        raw = base64.b64decode(s["key"].split(":", 1)[1])
        keys[hashlib.sha256(raw).hexdigest()[:32]] = (owner, raw)
    return keys

def signature_problem(rec, head, keys, required):
    """None, or (word, message) for this record's signature."""
    body = rec["body"] if isinstance(rec["body"], dict) else {}
    if "signature" not in body:
        if rec["kind"] == "decision" and body.get("type") in required:
            return "missing signature", f"the runbook requires a signature for {body.get('type')}"
        return None
    m = SIG.search(head)
    if head.count(b'"signature":') != 1 or not m:
        return "bad signature", "the signature member is not the last member of body in the one allowed form"
    alg, fp, meaning, value = (g.decode() for g in m.groups())
    if alg != "ed25519": return "bad signature", f"unknown algorithm {alg}"
    if fp not in keys: return "unknown key", f"key {fp} is not pinned in the open record"
    owner, pub = keys[fp]
    if owner != rec["actor"]: return "unknown key", f"key {fp} belongs to {owner}, not {rec['actor']}"
    want = {"decision": MEANING.get(body.get("type"), "responsibility"), "amend": "authorship",
            "review": "review"}.get(rec["kind"])
    if want and meaning != want: return "bad signature", f"meaning {meaning}, expected {want}"
    message = head[:m.start()] + head[m.end():] + b"}"
    try: sig = base64.b64decode(value, validate=True)
    except ValueError: return "bad signature", "value is not base64"
    if not ed25519_ok(pub, message, sig): return "bad signature", "does not verify over this record"
    return None

def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)

def digest(key, prev, canon):
    msg = prev.encode() + b"\n" + canon
    return hmac.new(key, msg, hashlib.sha256).hexdigest() if key else hashlib.sha256(msg).hexdigest()

def seq_of(line):
    try: return json.loads(line)["seq"]
    except Exception: return None

def check(path, key, cp):
    lines = open(path, "rb").read().split(b"\n")
    prev, count, keys, required, signed = "0" * 64, 0, {}, set(), 0
    for n, line in enumerate(lines, 1):
        if n == len(lines):  # after the last newline
            if line: return n, "torn", "the last line has no newline: a write was cut off"
            break
        try: rec = json.loads(line, object_pairs_hook=pairs, parse_constant=no_constant)
        except ValueError as e: return n, "bad_json", f"not JSON: {e}"
        m = TAIL.match(line)
        if not isinstance(rec, dict) or any(f not in rec for f in FIELDS) or not m:
            return n, "bad_json", "not a log record in canonical form"
        why = malformed(rec)
        if why: return n, "bad_json", why
        if n == 1 and not key and isinstance(rec["body"], dict) and rec["body"].get("chain") == "hmac-sha256":
            die(f"{path}: the log is HMAC-chained: set CUTOVER_LOG_KEY")
        canon, h = m.group(1) + b"}", m.group(2).decode()
        if digest(key, rec["prev"], canon) != h:
            if key and digest(None, rec["prev"], canon) == h:
                return n, "forged", "plain SHA-256 where HMAC is required"
            return n, "edited", "record does not match its hash"
        if rec["seq"] != count:
            if count in (seq_of(l) for l in lines[n:]): return n, "reordered", f"seq {count} comes later"
            if rec["seq"] > count: return n, "missing", f"seq jumps from {count - 1} to {rec['seq']}"
            return n, "reordered", f"seq {rec['seq']} appears again"
        if rec["prev"] != prev: return max(n - 1, 1), "forged", "hash recomputed: the chain does not link"
        if cp and cp[0] == count and cp[1] != h: return n, "forged", "differs from the checkpoint"
        if n == 1 and isinstance(rec["body"], dict):
            try: keys = pinned_keys(rec["body"])
            except (ValueError, KeyError, AttributeError, IndexError): return n, "bad_json", "unreadable signers"
            required = set(rec["body"].get("require_signature") or [])
        problem = signature_problem(rec, m.group(1), keys, required)
        if problem: return n, problem[0], problem[1]
        signed += isinstance(rec["body"], dict) and "signature" in rec["body"]
        prev, count = h, count + 1
    if count == 0: return 1, "truncated", "the log is empty"
    if cp and cp[0] >= count: return count + 1, "truncated", f"the checkpoint names seq {cp[0]}"
    print(f"{path}: intact: {count} records, {signed} signatures verified (ed25519 via {ED25519}), head hash {prev}")
    return None

def main():
    path, key = sys.argv[1], os.environb.get(b"CUTOVER_LOG_KEY")
    if key == b"": die("CUTOVER_LOG_KEY is set but empty")
    cp = None
    if len(sys.argv) > 2:
        s, h = sys.argv[2].split(":")
        cp = (int(s), h.lower())
    try: damage = check(path, key, cp)
    except OSError as e: die(f"{path}: cannot read: {e}")
    if damage:
        print(f"{path}:{damage[0]}: error: {damage[1]}: {damage[2]}")
        sys.exit(1)

if __name__ == "__main__":
    main()
