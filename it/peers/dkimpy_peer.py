#!/usr/bin/python3
"""dkimpy (Debian's python3-dkim) as a peer of the end-to-end suite.

  dkimpy_peer.py sign IN OUT --domain D --selector S --key PEM [--algorithm A] [--canon H/B]
                 [--length] [--headers h1:h2]
      Writes OUT = IN with one DKIM-Signature prepended. --length adds l= (the whole body).
  dkimpy_peer.py verify --dns IP[:PORT] FILE...
      One JSON line per DKIM-Signature of each FILE: file, b (signature without white space), d, s, a,
      result (pass | fail | unsupported), reason.

Keys come from the suite's DNS server (never the system resolver): dkimpy's dnsfunc hook is given a
dnspython resolver pointed at --dns. Run it with /usr/bin/python3, where python3-dkim lives.
"""
import argparse
import base64
import json
import logging
import re
import sys

import dkim
import dns.resolver
from cryptography.hazmat.primitives import serialization


def ed25519_seed_base64(pem):
    """dkimpy wants an Ed25519 private key as the base64 of its 32-byte seed, not PEM."""
    key = serialization.load_pem_private_key(pem, password=None)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return base64.b64encode(raw)


def sign(args):
    message = open(args.input, "rb").read()
    pem = open(args.key, "rb").read()
    algorithm = args.algorithm.encode()
    key = ed25519_seed_base64(pem) if algorithm == b"ed25519-sha256" else pem
    header_canon, body_canon = args.canon.split("/")
    include = [h.encode() for h in args.headers.split(":")] if args.headers else None
    signature = dkim.sign(message, args.selector.encode(), args.domain.encode(), key,
                          signature_algorithm=algorithm,
                          canonicalize=(header_canon.encode(), body_canon.encode()),
                          include_headers=include, length=args.length)
    with open(args.output, "wb") as out:
        out.write(signature + message)


class Reasons(logging.Handler):
    """dkimpy says why a signature failed only through its logger; keep the last message."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.last = ""

    def emit(self, record):
        if record.levelno >= logging.INFO:
            self.last = record.getMessage()


def verify(args):
    host, _, port = args.dns.partition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port or 53)
    resolver.lifetime = 5

    def dnsfunc(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode("ascii").rstrip("."), "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b"".join(answer[0].strings)

    reasons = Reasons()
    logger = logging.getLogger("dkimpy-peer")
    logger.addHandler(reasons)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for path in args.files:
        message = open(path, "rb").read()
        d = dkim.DKIM(message, logger=logger, minkey=1024)
        fields = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
        for idx, value in enumerate(fields):
            tags = dict(re.findall(rb"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^;]*)", value))
            b = re.sub(rb"\s+", b"", tags.get(b"b", b"")).decode("ascii", "replace")
            reasons.last = ""
            try:
                ok = d.verify(idx=idx, dnsfunc=dnsfunc)
                reason = "" if ok else reasons.last
            except Exception as e:  # dkimpy raises for some malformed input instead of returning False
                ok, reason = False, f"{type(e).__name__}: {e}"
            result = "pass" if ok else "fail"
            print(json.dumps({"file": path, "b": b, "d": tags.get(b"d", b"").decode("ascii", "replace").strip(),
                              "s": tags.get(b"s", b"").decode("ascii", "replace").strip(),
                              "a": tags.get(b"a", b"").decode("ascii", "replace").strip(),
                              "result": result, "reason": reason}))


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
    s.add_argument("--length", action="store_true")
    s.add_argument("--headers", default="")
    v = sub.add_parser("verify")
    v.add_argument("--dns", required=True)
    v.add_argument("files", nargs="+")
    args = parser.parse_args()
    sign(args) if args.command == "sign" else verify(args)


if __name__ == "__main__":
    sys.exit(main())
