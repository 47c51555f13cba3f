#!/usr/bin/python3
"""Judges what Postfix delivered, and prints the suite's table.

  evaluate.py interop WORK   collect the delivered corpus from smtp-sink, have the four peers verify it,
                             compare, write WORK/interop.json and WORK/report.txt (every verdict of
                             every signature)
  evaluate.py table WORK     print the table from WORK/interop.json and WORK/checks.tsv (lines
                             "name<TAB>PASS|FAIL|SKIPPED<TAB>detail" written by run.sh); exit 1 when
                             anything that should pass did not

Outbound: every signature Postseal added (d=postseal.example) must verify with each peer.
Inbound: Postseal's dkim= result for each signature (read from the Authentication-Results it added,
matched by header.b) must be the peers' majority verdict, pass or not pass, except where a case
documents a deliberate difference (then Postseal must give exactly the documented result). Peers
that cannot evaluate a signature (Debian's Mail::DKIM and Ed25519) are left out of the majority.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import sink  # noqa: E402

AUTHSERV_ID = "mx.postseal.example"
DNS = "127.0.0.42"
PEERS = ["dkimpy", "maildkim", "opendkim", "mailauth"]
NAMES = corpus.SIGNER_NAMES
EXPECTED_ALGORITHMS = ["ed25519-sha256", "rsa-sha256"]  # what run.sh configures Postseal to sign with


# ---------------------------------------------------------------------------------------------------
# reading messages

def header_fields(message):
    """[(name, raw value)] of the header, unfolding left to the caller."""
    head = message.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return [(m.group(1), m.group(2)) for m in
            re.finditer(r"^([!-9;-~]+)[ \t]*:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.MULTILINE)]


def tags(value):
    return {k: re.sub(r"\s+", "", v) for k, v in re.findall(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=([^;]*)", value)}


def signatures(message):
    """[{b, d, s, a}] of every DKIM-Signature field, top first."""
    out = []
    for name, value in header_fields(message):
        if name.lower() == "dkim-signature":
            t = tags(value)
            out.append({k: t.get(k, "") for k in ("b", "d", "s", "a")})
    return out


def our_authentication_results(message):
    """The values of the Authentication-Results fields that carry our authserv-id."""
    return [value for name, value in header_fields(message)
            if name.lower() == "authentication-results" and value.strip().split(";")[0].strip() == AUTHSERV_ID]


def without_our_authentication_results(message):
    """The message as Postseal saw it: minus the A-R field it added (which no signature covers)."""
    head, sep, body = message.partition(b"\r\n\r\n")
    kept, skipping = [], False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = bool(re.match(rb"(?i)authentication-results[ \t]*:[ \t]*" + re.escape(AUTHSERV_ID.encode()) + rb"\s*;",
                                 line))
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + sep + body


def postseal_dkim_results(ar_value):
    """[(header.b prefix, result, full resinfo)] from one of our A-R values.

    Postseal writes each resinfo on its own folded line, so resinfos are split at ";" + line end
    (a comment may contain ";" itself)."""
    out = []
    for resinfo in re.split(r";[ \t]*\r?\n[ \t]*", ar_value)[1:]:
        m = re.match(r"\s*dkim=(\w+)(.*)", resinfo, re.DOTALL)
        if m:
            b = re.search(r"header\.b=\"?([^\s\";]+)", m.group(2))
            out.append((b.group(1) if b else "", m.group(1), " ".join(resinfo.split())))
    return out


# ---------------------------------------------------------------------------------------------------
# running the peers

def here(*parts):
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), *parts)


def peer_command(peer, work, files):
    if peer == "dkimpy":
        return ["/usr/bin/python3", here("peers", "dkimpy_peer.py"), "verify", "--dns", DNS] + files
    if peer == "maildkim":
        return ["perl", here("peers", "maildkim_peer.pl"), "verify", DNS] + files
    if peer == "opendkim":
        return ["/usr/bin/python3", here("peers", "opendkim_peer.py"), "verify", "--resolver-conf",
                os.path.join(work, "unbound.conf"), "--workdir", os.path.join(work, "opendkim")] + files
    if peer == "mailauth":
        return [here("node", "node_modules", ".bin", "node"), here("peers", "mailauth_peer.js"), "verify", DNS] + files
    raise ValueError(peer)


def verify_all(work, files):
    """(peer, file, b) -> (result, reason)."""
    verdicts = {}
    if not files:
        return verdicts
    for peer in PEERS:
        done = subprocess.run(peer_command(peer, work, files), capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"{peer} verifier failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        for line in done.stdout.splitlines():
            j = json.loads(line)
            verdicts[(peer, j["file"], j["b"])] = (j["result"], j["reason"])
    return verdicts


# ---------------------------------------------------------------------------------------------------
# interop

def interop(work):
    manifest = json.load(open(os.path.join(work, "corpus", "manifest.json")))
    sent = json.load(open(os.path.join(work, "corpus", "sent.json")))
    cases = manifest["outbound"] + manifest["inbound"]
    accepted = [c for c in cases if sent.get(c["id"], "").startswith("250")]
    found, missing = sink.wait(os.path.join(work, "sink"), 60, [c["message_id"] for c in accepted])
    problems = [f"{c['id']}: not accepted: {sent.get(c['id'])}" for c in cases if c not in accepted]
    problems += [f"{m}: accepted but never delivered" for m in missing]

    # Write the delivered copies: as delivered, and (inbound) as Postseal saw them, for the peers.
    copies = {}
    for direction in ("outbound", "inbound"):
        os.makedirs(os.path.join(work, "delivered", direction), exist_ok=True)
        for c in manifest[direction]:
            if c["message_id"] not in found:
                continue
            data = sink.message(open(found[c["message_id"]], "rb").read())
            path = os.path.join(work, "delivered", direction, c["id"] + ".eml")
            with open(path, "wb") as f:
                f.write(data)
            seen = os.path.join(work, "delivered", direction, c["id"] + ".seen.eml")
            with open(seen, "wb") as f:
                f.write(without_our_authentication_results(data))
            copies[c["id"]] = (path, seen, data)

    verdicts = verify_all(work, sorted(seen for (_, seen, _) in copies.values()))
    rows, checks, notes, report = [], [], [], []

    # --- outbound: Postseal signs, the peers verify
    per_peer = {p: [0, 0, 0] for p in PEERS}  # passed, total, not counted (cannot evaluate)
    signed_ok, signed_total, signed_fail = 0, 0, []
    for c in manifest["outbound"]:
        if c["id"] not in copies:
            continue
        path, seen, data = copies[c["id"]]
        ours = [s for s in signatures(data) if s["d"] == corpus.OUR_DOMAIN]
        ar = our_authentication_results(data)
        signed_total += 1
        if c["sign"]:
            algorithms = sorted(s["a"] for s in ours)
            if algorithms == EXPECTED_ALGORITHMS and not ar:
                signed_ok += 1
            else:
                signed_fail.append(f"{c['id']}: signatures {algorithms}, our A-R {len(ar)}")
        elif not ours and not ar:
            signed_ok += 1
        else:
            signed_fail.append(f"{c['id']}: From {c['sender']} is not ours but got {len(ours)} signature(s)")
        for s in ours:
            line = [f"out {c['id']} a={s['a']} s={s['s']}:"]
            for p in PEERS:
                result, reason = verdicts.get((p, seen, s["b"]), ("missing", "verifier said nothing"))
                line.append(f"{p}={result}")
                if result == "unsupported":
                    per_peer[p][2] += 1
                    continue
                per_peer[p][1] += 1
                if result == "pass":
                    per_peer[p][0] += 1
                else:
                    notes.append(f"FAILED: {NAMES[p]} does not verify Postseal's {s['a']} signature on {c['id']}: "
                                 f"{result} ({reason})")
            report.append(" ".join(line))
    for p in PEERS:
        passed, total, skipped = per_peer[p]
        note = (f"{skipped} Ed25519 signatures not counted: Debian's Mail::DKIM has no Ed25519" if skipped else "")
        rows.append(dict(verifier=NAMES[p], direction="outbound: Postseal signs via Postfix", passed=passed,
                         total=total, notes=note))
    checks.append(dict(name="outbound: signed (rsa-sha256 + ed25519-sha256) via internal, SASL submission "
                            "and sendmail; foreign From not signed; no A-R added",
                       status="PASS" if signed_ok == signed_total and signed_total else "FAIL",
                       detail=f"{signed_ok}/{signed_total}" + ("; " + "; ".join(signed_fail) if signed_fail else "")))

    # --- inbound: the peers sign, Postseal verifies
    per_signer = {p: [0, 0] for p in PEERS}
    cross = {p: [0, 0] for p in PEERS}
    ar_ok, ar_total, ar_fail = 0, 0, []
    for c in manifest["inbound"]:
        if c["id"] not in copies:
            continue
        path, seen, data = copies[c["id"]]
        ar = our_authentication_results(data)
        ar_total += 1
        if len(ar) == 1:
            ar_ok += 1
        else:
            ar_fail.append(f"{c['id']}: {len(ar)} A-R fields with our authserv-id")
        results = postseal_dkim_results(ar[0]) if ar else []
        unused = list(c["sigs"])
        for s in signatures(data):
            # which of the case's signatures this is: by d= and s= (several signers may share a selector name)
            spec = next(x for x in unused if corpus.domain_of(x["signer"]) == s["d"] and x["selector"] == s["s"])
            unused.remove(spec)
            signer = spec["signer"]
            ours = [r for r in results if r[0] and s["b"].startswith(r[0])]
            postseal = ours[0][1] if ours else "missing"
            peer_results = {p: verdicts.get((p, seen, s["b"]), ("missing", "verifier said nothing")) for p in PEERS}
            votes = [r for (r, _) in peer_results.values() if r != "unsupported"]
            yes = sum(1 for r in votes if r == "pass")
            majority = "pass" if yes * 2 > len(votes) else ("not pass" if yes * 2 < len(votes) else "tie")
            if c.get("postseal"):
                ok = postseal == c["postseal"]
                expected = c["postseal"]
            else:
                ok = majority != "tie" and (postseal == "pass") == (majority == "pass")
                expected = majority
            per_signer[signer][1] += 1
            per_signer[signer][0] += ok
            label = f"{c['id']} ({NAMES[signer]} {s['a']} c={spec['canon']} s={spec['selector']})"
            report.append(f"in  {label}: postseal={postseal} "
                          + " ".join(f"{p}={peer_results[p][0]}" for p in PEERS)
                          + f" majority={majority} expected={expected} {'ok' if ok else 'FAILED'}")
            if not ok:
                detail = ours[0][2] if ours else "no dkim= result for this signature"
                notes.append(f"FAILED: {label}: Postseal says {postseal}, expected {expected} "
                             f"(peers: {', '.join(f'{NAMES[p]} {r}' for p, (r, _) in peer_results.items())}); "
                             f"Postseal wrote: {detail}")
            elif c.get("postseal") and majority == "pass":
                notes.append(f"{label}: peers pass, Postseal {postseal} by design. {c['note']}")
            for p, (r, reason) in peer_results.items():
                if r == "unsupported" or majority == "tie":
                    continue
                cross[p][1] += 1
                if (r == "pass") == (majority == "pass"):
                    cross[p][0] += 1
                else:
                    notes.append(f"{label}: {NAMES[p]} says {r} ({reason}) against the majority ({majority}); "
                                 f"Postseal says {postseal}. {c['note']}".rstrip())
            if c.get("note") and not c.get("postseal") and all(
                    (r == "pass") == (majority == "pass") for (r, _) in peer_results.values() if r != "unsupported"):
                notes.append(f"{label}: {c['note']}")
    for p in PEERS:
        rows.append(dict(verifier="Postseal", direction=f"inbound: signed by {NAMES[p]}",
                         passed=per_signer[p][0], total=per_signer[p][1], notes=""))
    checks.append(dict(name="inbound: exactly one Authentication-Results with our authserv-id",
                       status="PASS" if ar_ok == ar_total and ar_total else "FAIL",
                       detail=f"{ar_ok}/{ar_total}" + ("; " + "; ".join(ar_fail) if ar_fail else "")))
    checks.append(dict(name="corpus: every message accepted and delivered",
                       status="PASS" if not problems else "FAIL",
                       detail=f"{len(copies)}/{len(cases)}" + ("; " + "; ".join(problems) if problems else "")))
    informational = [dict(verifier=NAMES[p], direction="inbound: peers' corpus", passed=cross[p][0],
                          total=cross[p][1], notes="agreement with the peers' majority (not a pass condition)")
                     for p in PEERS]

    with open(os.path.join(work, "interop.json"), "w") as f:
        json.dump(dict(rows=rows, checks=checks, informational=informational, notes=notes), f, indent=1)
    with open(os.path.join(work, "report.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print(f"interop: {len(report)} signatures judged; details in {os.path.join(work, 'report.txt')}")


# ---------------------------------------------------------------------------------------------------
# table

def table(work):
    path = os.path.join(work, "interop.json")
    data = json.load(open(path)) if os.path.exists(path) else dict(rows=[], checks=[], informational=[], notes=[
        "FAILED: no interop results (the interop step did not run to its end)"])
    checks = list(data["checks"])
    checks_file = os.path.join(work, "checks.tsv")
    if os.path.exists(checks_file):
        for line in open(checks_file, encoding="utf-8"):
            if line.strip():
                name, status, detail = (line.rstrip("\n").split("\t") + ["", ""])[:3]
                checks.append(dict(name=name, status=status, detail=detail))
    failed = 0
    print("\n== Interop, per DKIM signature: verifier x direction")
    print(f"{'verifier':<11} {'direction':<38} {'passed/total':>12}  notes")
    for r in data["rows"]:
        bad = r["passed"] != r["total"] or r["total"] == 0
        failed += bad
        print(f"{r['verifier']:<11} {r['direction']:<38} {str(r['passed']) + '/' + str(r['total']):>12}  "
              f"{'FAILED ' if bad else ''}{r['notes']}")
    print(f"\n== Peer cross-check on the inbound corpus (informational)")
    for r in data["informational"]:
        print(f"{r['verifier']:<11} {r['direction']:<38} {str(r['passed']) + '/' + str(r['total']):>12}  {r['notes']}")
    print("\n== Checks")
    for c in checks:
        failed += c["status"] == "FAIL"
        print(f"{c['status']:<8} {c['name']}" + (f"  [{c['detail']}]" if c["detail"] else ""))
    if data["notes"]:
        print("\n== Notes (disagreements and failures)")
        for n in data["notes"]:
            print("- " + n)
    passed = sum(r["passed"] for r in data["rows"]) + sum(1 for c in checks if c["status"] == "PASS")
    total_failed = sum(r["total"] - r["passed"] for r in data["rows"]) + sum(1 for c in checks if c["status"] == "FAIL")
    skipped = sum(1 for c in checks if c["status"] == "SKIPPED")
    print(f"\ne2e: {passed} passed, {total_failed} failed, {skipped} skipped")
    return 1 if failed else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "interop":
        interop(sys.argv[2])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "table":
        return table(sys.argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
