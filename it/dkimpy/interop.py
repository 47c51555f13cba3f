#!/usr/bin/python3
"""Interoperability with dkimpy (Debian's python3-dkim), driven by milter-core's DkimpyInteropTest.

  interop.py verify DIR   verify every DKIM-Signature of DIR/*.eml with dkimpy; keys come from
                          DIR/zone.txt (BIND master format, TXT records only) through dkimpy's dnsfunc,
                          so no DNS server is involved. Prints one line per signature; exit 1 if any fails.
  interop.py sign DIR     write DIR/*.eml signed by dkimpy (rsa-sha256 in all four canonicalizations,
                          ed25519-sha256, and both at once) and DIR/zone.txt with their public keys.

It must run with Debian's interpreter (/usr/bin/python3), where python3-dkim and python3-nacl live.
"""
import base64
import os
import re
import subprocess
import sys

import dkim
import nacl.signing

DOMAIN = b"dkimpy.example"


def read_zone(path):
    """Maps owner name (lower case, no trailing dot) to the concatenated TXT value."""
    records = {}
    text = open(path, encoding="ascii").read()
    # Join parenthesised multi-line records onto one line first.
    text = re.sub(r"\(([^)]*)\)", lambda m: m.group(1).replace("\n", " "), text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";") or line.startswith("$"):
            continue
        m = re.match(r"^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$", line, re.IGNORECASE)
        if not m:
            continue
        name = m.group(1).rstrip(".").lower()
        value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        records[name] = value.encode("ascii")
    return records


def verify(directory):
    zone = read_zone(os.path.join(directory, "zone.txt"))

    def dnsfunc(name, timeout=5):
        key = name.decode("ascii") if isinstance(name, bytes) else name
        return zone.get(key.rstrip(".").lower())

    failures = 0
    total = 0
    for file in sorted(f for f in os.listdir(directory) if f.endswith(".eml")):
        message = open(os.path.join(directory, file), "rb").read()
        d = dkim.DKIM(message, minkey=1024)
        signatures = [h for h in d.headers if h[0].lower() == b"dkim-signature"]
        if not signatures:
            print(f"FAIL {file}: no DKIM-Signature")
            failures += 1
            continue
        for idx, header in enumerate(signatures):
            total += 1
            tags = dict(re.findall(rb"\b([a-z]+)=([^;]*)", re.sub(rb"\s+", b"", header[1])))
            label = "d=%s s=%s a=%s" % (tags.get(b"d", b"?").decode(), tags.get(b"s", b"?").decode(),
                                        tags.get(b"a", b"?").decode())
            try:
                ok = d.verify(idx=idx, dnsfunc=dnsfunc)
                why = ""
            except dkim.DKIMException as e:  # dkimpy raises for body hash mismatches and bad records
                ok, why = False, f" ({e})"
            print(f"{'PASS' if ok else 'FAIL'} {file} signature {idx + 1}: {label}{why}")
            if not ok:
                failures += 1
    print(f"dkimpy verified {total - failures} of {total} signatures")
    return 1 if failures or total == 0 else 0


MESSAGES = {
    "plain": (b"From: Alice <alice@dkimpy.example>\r\nTo: bob@postseal.example\r\n"
              b"Subject: plain\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
              b"Message-ID: <plain@dkimpy.example>\r\n\r\nHello Bob,\r\n\r\nplain text.\r\n"),
    "folded": (b"From: Alice <alice@dkimpy.example>\r\nTo: bob@postseal.example,\r\n\tcarol@postseal.example\r\n"
               b"Subject: a folded\r\n  subject   with  spaces \r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
               b"\r\nTrailing   spaces   \r\nand tabs\t\t\r\n\r\n\r\n"),
    "empty-body": (b"From: alice@dkimpy.example\r\nTo: bob@postseal.example\r\nSubject: empty\r\n\r\n"),
    "utf8": ("From: Zoë <zoe@dkimpy.example>\r\nTo: bob@postseal.example\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
             "\r\nGrüße aus Köln — ünïcödé ✓\r\n").encode("utf-8"),
    "long-lines": (b"From: alice@dkimpy.example\r\nTo: bob@postseal.example\r\nSubject: long\r\n\r\n"
                   + (b"x" * 990 + b"\r\n") * 40),
}

VARIANTS = [
    ("rsa-relaxed-relaxed", [("rsa", b"relaxed", b"relaxed")]),
    ("rsa-simple-simple", [("rsa", b"simple", b"simple")]),
    ("rsa-relaxed-simple", [("rsa", b"relaxed", b"simple")]),
    ("rsa-simple-relaxed", [("rsa", b"simple", b"relaxed")]),
    ("ed25519-relaxed-relaxed", [("ed25519", b"relaxed", b"relaxed")]),
    ("rsa-and-ed25519", [("rsa", b"relaxed", b"relaxed"), ("ed25519", b"relaxed", b"relaxed")]),
]


def split_txt(value):
    """A TXT value as quoted character-strings of at most 255 bytes (RFC 1035 section 3.3.14)."""
    return " ".join('"%s"' % value[i:i + 255] for i in range(0, len(value), 255))


def sign(directory):
    os.makedirs(directory, exist_ok=True)
    rsa_pem = subprocess.run(["openssl", "genrsa", "-traditional", "2048"], check=True,
                             capture_output=True).stdout
    rsa_pub_der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"], input=rsa_pem,
                                 check=True, capture_output=True).stdout
    ed_key = nacl.signing.SigningKey.generate()
    keys = {
        "rsa": (b"pyrsa", rsa_pem),
        "ed25519": (b"pyed", base64.b64encode(bytes(ed_key))),
    }
    with open(os.path.join(directory, "zone.txt"), "w", encoding="ascii") as zone:
        zone.write("$TTL 300\n")
        zone.write("pyrsa._domainkey.dkimpy.example. IN TXT %s\n"
                   % split_txt("v=DKIM1; k=rsa; p=" + base64.b64encode(rsa_pub_der).decode()))
        zone.write("pyed._domainkey.dkimpy.example. IN TXT %s\n"
                   % split_txt("v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(ed_key.verify_key)).decode()))
    count = 0
    for name, message in MESSAGES.items():
        for variant, signatures in VARIANTS:
            signed = message
            for algorithm, header_canon, body_canon in signatures:
                selector, private = keys[algorithm]
                field = dkim.sign(signed, selector, DOMAIN, private,
                                  canonicalize=(header_canon, body_canon),
                                  signature_algorithm=b"ed25519-sha256" if algorithm == "ed25519" else b"rsa-sha256",
                                  include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
                signed = field + signed
            with open(os.path.join(directory, f"dkimpy-{name}-{variant}.eml"), "wb") as out:
                out.write(signed)
            count += 1
    print(f"dkimpy signed {count} messages into {directory}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("verify", "sign"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(verify(sys.argv[2]) if sys.argv[1] == "verify" else sign(sys.argv[2]))
