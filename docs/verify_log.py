#!/usr/bin/env python3
"""Verify a cutover log without the cutover program (see docs/log-format.md).

usage: verify_log.py LOG [SEQ:HASH]     key: $CUTOVER_LOG_KEY (HMAC-SHA-256)
exit:  0 intact, 1 damaged (first damage as LOG:LINE: error: KIND: ...), 2 unreadable
"""
import datetime, hashlib, hmac, json, os, re, sys

TAIL = re.compile(rb'^(.*),"hash":"([0-9a-f]{64})"}$', re.S)
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("seq", "ts", "kind", "actor", "body", "prev", "hash")
KINDS = {"open", "observe", "gate", "threshold", "step", "decision", "phase", "resume", "close"}

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
    prev, count = "0" * 64, 0
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
        prev, count = h, count + 1
    if count == 0: return 1, "truncated", "the log is empty"
    if cp and cp[0] >= count: return count + 1, "truncated", f"the checkpoint names seq {cp[0]}"
    print(f"{path}: intact: {count} records, head hash {prev}")
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
