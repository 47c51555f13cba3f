#!/usr/bin/python3
"""OpenDKIM (Debian's opendkim 2.11) as a peer of the end-to-end suite, through its test mode.

`opendkim -t FILE` runs the real filter code on a saved message, as if it came from 127.0.0.1, and
with -vv prints the header fields it would add ("### INSHEADER: ... hname='NAME' hvalue='VALUE'").

  opendkim_peer.py sign IN OUT --domain D --selector S --key PEM [--algorithm A] [--canon H/B]
                   [--oversign] --workdir DIR
      Writes OUT = IN with OpenDKIM's DKIM-Signature prepended.
  opendkim_peer.py verify --resolver-conf FILE --workdir DIR FILE...
      One JSON line per DKIM-Signature of each FILE (b, d, s, a, result, reason), matched to the
      dkim= entries of the Authentication-Results OpenDKIM writes by their header.b prefix.

OpenDKIM resolves through libunbound. --resolver-conf is an unbound configuration that forwards to
the suite's DNS server; it must say `do-not-query-localhost: no`, or unbound silently refuses to ask
a 127.x server and every key is "not found".
"""
import argparse
import json
import os
import re
import subprocess
import sys

INSHEADER = re.compile(r"^### INSHEADER: idx=\d+ hname='([^']*)' hvalue='(.*?)'$", re.MULTILINE | re.DOTALL)


def run_opendkim(config_lines, workdir, message_path):
    os.makedirs(workdir, exist_ok=True)
    config = os.path.join(workdir, "opendkim.conf")
    with open(config, "w") as f:
        f.write("\n".join(config_lines + [
            "Syslog no",
            # keys live under /tmp, which OpenDKIM calls unsafe (world-writable parent): allowed here
            "RequireSafeKeys no",
            "TemporaryDirectory " + workdir,
        ]) + "\n")
    done = subprocess.run(["opendkim", "-x", config, "-vv", "-t", message_path],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise SystemExit(f"opendkim -t {message_path} exited {done.returncode}: {done.stderr.strip()}")
    return [(name, value) for name, value in INSHEADER.findall(done.stdout)], done.stderr


def sign(args):
    # A KeyTable and a wildcard SigningTable rather than Domain/Selector/KeyFile: OpenDKIM then signs
    # whatever the From: domain is (as a list or a forwarder would), not only From: addresses of --domain.
    os.makedirs(args.workdir, exist_ok=True)
    key_table = os.path.join(args.workdir, "KeyTable")
    signing_table = os.path.join(args.workdir, "SigningTable")
    with open(key_table, "w") as f:
        f.write(f"signer {args.domain}:{args.selector}:{args.key}\n")
    with open(signing_table, "w") as f:
        f.write("* signer\n")
    lines = ["Mode s", "KeyTable file:" + key_table, "SigningTable refile:" + signing_table,
             "Canonicalization " + args.canon, "SignatureAlgorithm " + args.algorithm]
    if args.oversign:
        lines.append("OversignHeaders From")
    added, stderr = run_opendkim(lines, args.workdir, args.input)
    signatures = [value for name, value in added if name.lower() == "dkim-signature"]
    if len(signatures) != 1:
        raise SystemExit(f"OpenDKIM did not sign {args.input}: {stderr.strip()}")
    # OpenDKIM folds with LF + TAB; on the wire (and in our CRLF files) that is CRLF + TAB.
    field = "DKIM-Signature: " + signatures[0].replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
    message = open(args.input, "rb").read()
    with open(args.output, "wb") as out:
        out.write(field.encode("ascii") + message)


def signatures_of(message):
    """(b, d, s, a) of every DKIM-Signature field, unfolded, in order."""
    head = message.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    fields = re.findall(r"^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.MULTILINE | re.IGNORECASE)
    out = []
    for value in fields:
        tags = dict((k.strip(), v) for k, v in re.findall(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=([^;]*)", value))
        out.append(tuple(re.sub(r"\s+", "", tags.get(k, "")) for k in ("b", "d", "s", "a")))
    return out


def verify(args):
    config = ["Mode v", "ResolverConfiguration " + args.resolver_conf, "AlwaysAddARHeader yes",
              "MaximumSignaturesToVerify 10", "MinimumKeyBits 1024"]
    for path in args.files:
        added, stderr = run_opendkim(config, args.workdir, path)
        entries = []
        for name, value in added:
            if name.lower() != "authentication-results":
                continue
            # OpenDKIM puts each resinfo on its own folded line; comments may contain ";" themselves
            for resinfo in re.split(r";\s*\n\s*", value)[1:]:
                m = re.match(r"\s*dkim=(\w+)\s*(.*)", resinfo, re.DOTALL)
                if not m:
                    continue
                b = re.search(r"header\.b=\"?([^\s\";]+)", m.group(2))
                reason = re.search(r"reason=\"([^\"]*)\"", m.group(2))
                entries.append((b.group(1) if b else "", m.group(1), reason.group(1) if reason else ""))
        message = open(path, "rb").read()
        for b, d, s, a in signatures_of(message):
            match = [e for e in entries if e[0] and b.startswith(e[0])]
            if match:
                result, reason = match[0][1], match[0][2]
            else:
                result, reason = "none", "no dkim= entry for this signature in OpenDKIM's A-R: " + stderr.strip()
            print(json.dumps({"file": path, "b": b, "d": d, "s": s, "a": a, "result": result, "reason": reason}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sign")
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--domain", required=True)
    s.add_argument("--selector", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--algorithm", default="rsa-sha256")
    s.add_argument("--canon", default="relaxed/relaxed")
    s.add_argument("--oversign", action="store_true")
    s.add_argument("--workdir", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--resolver-conf", required=True)
    v.add_argument("--workdir", required=True)
    v.add_argument("files", nargs="+")
    args = parser.parse_args()
    sign(args) if args.command == "sign" else verify(args)


if __name__ == "__main__":
    sys.exit(main())
