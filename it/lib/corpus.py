#!/usr/bin/python3
"""Generates everything the end-to-end suite sends: keys, DNS zones and the message corpus.

  corpus.py keys WORK     private keys (openssl genpkey) for Postseal and for the peers, and one zone
                          file per test domain under WORK/knot/zones (DKIM keys of every kind the corpus
                          uses, plus SPF and DMARC records for Postseal's own domain)
  corpus.py build WORK    the messages: WORK/corpus/outbound/*.eml (unsigned, From Postseal's domain, to
                          be signed by Postseal on their way through Postfix) and WORK/corpus/inbound/*.eml
                          (signed by dkimpy, Mail::DKIM, OpenDKIM and mailauth, some damaged on purpose),
                          and WORK/corpus/manifest.json saying how to send each one and what to expect.

Every message is CRLF-terminated and carries Message-ID <CASE@corpus.postseal.example>, which is how
the evaluation finds its delivered copy. Run with Debian's /usr/bin/python3.
"""
import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")
NODE = os.path.join(os.path.dirname(HERE), "node", "node_modules", ".bin", "node")

OUR_DOMAIN = "postseal.example"
# Postseal's selectors: KeyDirectory signs with one key per algorithm.
OUR_KEYS = {"ps2026r": "rsa-2048", "ps2026e": "ed25519"}
SIGNERS = ["dkimpy", "maildkim", "opendkim", "mailauth"]
SIGNER_NAMES = {"dkimpy": "dkimpy", "maildkim": "Mail::DKIM", "opendkim": "OpenDKIM", "mailauth": "mailauth"}
# Every peer domain publishes the same set of keys (shared key material, own records).
PEER_KEYS = {"r2048": "rsa-2048", "r1024": "rsa-1024", "r512": "rsa-512", "ed": "ed25519"}
# Selectors whose private key is r2048's but whose DNS record is special.
SPECIAL_SELECTORS = {"revoked": "r2048", "gone": "r2048"}


def domain_of(signer):
    return signer + ".example"


def message_id(case_id):
    return f"<{case_id}@corpus.postseal.example>"


# ---------------------------------------------------------------------------------------------------
# keys and zones

def genkey(kind, path):
    if kind == "ed25519":
        cmd = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", path]
    else:
        bits = kind.split("-")[1]
        cmd = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}", "-out", path]
    subprocess.run(cmd, check=True, capture_output=True)
    os.chmod(path, 0o600)


def public_key_value(kind, path):
    """The p= value: base64 SubjectPublicKeyInfo for RSA, the raw 32-byte key for Ed25519 (RFC 8463)."""
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    if kind == "ed25519":
        der = der[-32:]
    return base64.b64encode(der).decode("ascii")


def txt(value):
    """A TXT RDATA in zone-file syntax; strings are at most 255 octets, so long keys are split."""
    return " ".join('"%s"' % value[i:i + 250] for i in range(0, len(value), 250))


def zone(domain, records):
    lines = [f"$ORIGIN {domain}.", "$TTL 300",
             f"@ SOA ns.{domain}. hostmaster.{domain}. 1 3600 600 86400 300",
             "@ NS ns", "ns A 127.0.0.42"]
    lines += [f"{name} TXT {txt(value)}" for name, value in records]
    return "\n".join(lines) + "\n"


def dkim_record(kind, p):
    return f"v=DKIM1; k={'ed25519' if kind == 'ed25519' else 'rsa'}; p={p}"


def make_keys(work):
    zones = os.path.join(work, "knot", "zones")
    peer_keys = os.path.join(work, "keys")
    our_keys = os.path.join(work, "postseal", "keys", OUR_DOMAIN)
    for d in (zones, peer_keys, our_keys):
        os.makedirs(d, exist_ok=True)
    os.chmod(os.path.join(work, "postseal"), 0o700)

    records = []
    for selector, kind in OUR_KEYS.items():
        path = os.path.join(our_keys, selector + ".pem")
        genkey(kind, path)
        records.append((f"{selector}._domainkey", dkim_record(kind, public_key_value(kind, path))))
    # SPF and DMARC for our own domain: only our own host sends as us, and forgeries are to be rejected.
    # Postseal's DMARC enforcement is exercised by the IT_DMARC checks (see run.sh).
    records.append(("@", "v=spf1 ip4:127.0.0.1 -all"))
    records.append(("_dmarc", "v=DMARC1; p=reject; adkim=s; aspf=s"))
    with open(os.path.join(zones, OUR_DOMAIN + ".zone"), "w") as f:
        f.write(zone(OUR_DOMAIN, records))

    published = {}
    for selector, kind in PEER_KEYS.items():
        path = os.path.join(peer_keys, selector + ".pem")
        genkey(kind, path)
        published[selector] = dkim_record(kind, public_key_value(kind, path))
    published["revoked"] = "v=DKIM1; k=rsa; p="  # RFC 6376 section 3.6.1: empty p= means revoked
    # "gone" is deliberately not published.
    for signer in SIGNERS:
        domain = domain_of(signer)
        # The peers' domains publish no SPF or DMARC: their messages carry damaged signatures on purpose,
        # and a DMARC reject would stop them before their Authentication-Results could be read.
        recs = [(f"{sel}._domainkey", value) for sel, value in published.items()]
        with open(os.path.join(zones, domain + ".zone"), "w") as f:
            f.write(zone(domain, recs))
    print("zones: " + " ".join(sorted(os.listdir(zones))))


def key_path(work, selector):
    return os.path.join(work, "keys", SPECIAL_SELECTORS.get(selector, selector) + ".pem")


# ---------------------------------------------------------------------------------------------------
# message content: each variant stresses one part of canonicalization or transport

LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua. ")


def variant(name, case_id, sender, recipient):
    """(header lines, body) for content variant NAME; header lines are folded with CRLF already."""
    std = [f"From: {sender}", f"To: {recipient}", "Date: Sat, 28 Nov 2026 10:00:00 +0000",
           f"Message-ID: {message_id(case_id)}"]

    def subject(text):
        return [f"Subject: {text}"]

    if name == "plain":
        return std + subject("plain message"), "Hello,\r\n\r\nThis is a plain message.\r\n"
    if name == "folded":
        return (std[:1] + [
            f"To: {recipient},\r\n  Second Person <second@{recipient.split('@')[1]}>,\r\n\tthird@{recipient.split('@')[1]}",
            std[2], std[3],
            "Subject: a subject that is folded\r\n over three\r\n\tlines of header",
            "X-Folded: first part;\r\n    second part;\r\n\t\tthird part"],
            "A body after folded header fields.\r\n")
    if name == "long-header":
        refs = " ".join(f"<ref{i}.{'x' * 30}@lists.example>" for i in range(14))
        return (std + subject("long " + "subject " * 110) + ["References: " + refs.replace(" ", "\r\n ")],
                "Long header fields above: one line of about 900 octets, one folded 14 times.\r\n")
    if name == "trailing-ws":
        return (std + ["Subject: trailing white space   ", "X-Tabs:\tvalue\t with \t tabs \t"],
                "line with trailing spaces   \r\n\ttab-led line with\t\tinner tabs\t\r\n"
                "  two leading spaces\r\n \r\n\t\r\nlast line  \t \r\n")
    if name == "empty-body":
        return std + subject("empty body"), ""
    if name == "blank-body":
        return std + subject("body of blank lines only"), "\r\n\r\n\r\n"
    if name == "utf8":
        return ([f"From: Jürgen Größ <{sender}>", std[1], std[2], std[3],
                 "Subject: Grüße aus Köln — ✓ 8-bit UTF-8 in a header",
                 "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: 8bit"],
                "Grüße! Ça va? Ελληνικά, русский, 日本語, emoji 📬.\r\nZweite Zeile: äöü ÄÖÜ ß\r\n")
    if name == "long-lines":
        line = (LOREM * 9)[:990]
        return (std + subject("long body lines"),
                f"{line}\r\n{line[::-1]}\r\nshort line\r\n{'x' * 997}\r\n")
    if name == "multipart":
        boundary = "=_boundary_postseal_it"
        html = base64.b64encode(("<p>" + LOREM * 3 + "</p>").encode()).decode()
        html = "\r\n".join(html[i:i + 76] for i in range(0, len(html), 76))
        return (std + subject("multipart/alternative") + [
                    "MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"'],
                "This is a multi-part message in MIME format.\r\n\r\n"
                f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlain part.\r\n\r\n"
                f"--{boundary}\r\nContent-Type: text/html; charset=us-ascii\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{html}\r\n\r\n--{boundary}--\r\n")
    if name == "trailing-blank-lines":
        return std + subject("trailing blank lines"), "text\r\n\r\n\r\n\r\n"
    if name == "dot-lines":
        # SMTP dot-stuffing: the client doubles a leading ".", the server removes it again.
        return std + subject("lines that start with a dot"), ".leading dot\r\n..two dots\r\n.\r\nend\r\n"
    if name == "header-case":
        return ([f"FROM: {sender}", f"to: {recipient}", std[2].upper().replace("DATE:", "date:"),
                 f"message-id: {message_id(case_id)}", "sUbJeCt:    spaced     out    ",
                 "X-NoSpace:value-without-space"],
                "Header names in unusual case and spacing.\r\n")
    raise ValueError("unknown variant " + name)


VARIANTS = ["plain", "folded", "long-header", "trailing-ws", "empty-body", "blank-body", "utf8",
            "long-lines", "multipart", "trailing-blank-lines", "dot-lines", "header-case"]


def render(headers, body):
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


# ---------------------------------------------------------------------------------------------------
# inbound cases: (id, variant, signatures applied in order, damage applied after signing, notes)
#
# A signature spec: signer, selector, algorithm, canon, plus length (l= over the whole body) and
# oversign (From signed once more than it occurs). "postseal" states the verdict Postseal must give
# when it deliberately differs from the peers' majority, with the reason shown in the table notes.

RSA, ED, SHA1 = "rsa-sha256", "ed25519-sha256", "rsa-sha1"
L_PARTIAL_NOTE = ("l= leaves the appended footer unsigned: peers pass it (RFC 6376 allows it), Postseal's "
                  "documented policy gives dkim=policy (RFC 6376 section 8.2: such content is unauthenticated)")
HEADER_SPACE_NOTE = ("'simple' header canonicalization over 'sUbJeCt:    spaced     out': opendkim -t rebuilds "
                     "each field as 'Name: value' with one space, so it fails any simple-canonicalized field "
                     "without exactly one space after the colon; RFC 6376 section 3.4.1 says simple changes "
                     "nothing, so pass (dkimpy, mailauth, Postseal) is right")
SHA1_NOTE = ("rsa-sha1: peers still pass it, Postseal gives dkim=policy as RFC 8301 section 3.1 requires "
             "(rsa-sha1 MUST NOT be used for signing or verifying)")


def sig(signer, selector="r2048", canon="relaxed/relaxed", algorithm=None, **extra):
    algorithm = algorithm or (ED if selector == "ed" else RSA)
    return dict(signer=signer, selector=selector, canon=canon, algorithm=algorithm, **extra)


def inbound_cases():
    c = []

    def case(case_id, variant_name, sigs, damage=None, postseal=None, note=""):
        c.append(dict(id=case_id, variant=variant_name, sigs=sigs, damage=damage, postseal=postseal, note=note))

    # dkimpy: all four canonicalizations, Ed25519, l=, 1024-bit key, two signatures, damage
    case("dkimpy-ss-plain", "plain", [sig("dkimpy", canon="simple/simple")])
    case("dkimpy-sr-folded", "folded", [sig("dkimpy", canon="simple/relaxed")])
    case("dkimpy-rs-trailing-ws", "trailing-ws", [sig("dkimpy", canon="relaxed/simple")])
    case("dkimpy-rr-utf8", "utf8", [sig("dkimpy", canon="relaxed/relaxed")])
    case("dkimpy-ss-empty-body", "empty-body", [sig("dkimpy", canon="simple/simple")])
    case("dkimpy-rr-blank-body", "blank-body", [sig("dkimpy", canon="relaxed/relaxed")])
    case("dkimpy-ed-rr-long-lines", "long-lines", [sig("dkimpy", "ed", "relaxed/relaxed")])
    case("dkimpy-ss-header-case", "header-case", [sig("dkimpy", canon="simple/simple")], note=HEADER_SPACE_NOTE)
    case("dkimpy-ed-ss-header-case", "header-case", [sig("dkimpy", "ed", "simple/simple")], note=HEADER_SPACE_NOTE)
    case("dkimpy-l-full-multipart", "multipart", [sig("dkimpy", canon="relaxed/simple", length=True)])
    case("dkimpy-l-partial", "plain", [sig("dkimpy", canon="simple/simple", length=True)],
         damage="append-footer", postseal="policy", note=L_PARTIAL_NOTE)
    case("dkimpy-r1024-dot-lines", "dot-lines", [sig("dkimpy", "r1024", "relaxed/simple")])
    case("dkimpy-rsa-and-ed", "trailing-blank-lines",
         [sig("dkimpy", canon="simple/relaxed"), sig("dkimpy", "ed", "relaxed/relaxed")])
    case("dkimpy-tampered-body", "plain", [sig("dkimpy", canon="relaxed/relaxed")], damage="tamper-body")

    # Mail::DKIM: all four canonicalizations, oversigned From, rsa-sha1, weak and revoked keys, damage
    case("maildkim-ss-long-header", "long-header", [sig("maildkim", canon="simple/simple")])
    case("maildkim-sr-dot-lines", "dot-lines", [sig("maildkim", canon="simple/relaxed")])
    case("maildkim-rs-trailing-blank-lines", "trailing-blank-lines", [sig("maildkim", canon="relaxed/simple")])
    case("maildkim-rr-utf8", "utf8", [sig("maildkim", canon="relaxed/relaxed")])
    case("maildkim-oversign-folded", "folded", [sig("maildkim", canon="relaxed/relaxed", oversign=True)])
    case("maildkim-rr-empty-body", "empty-body", [sig("maildkim", canon="relaxed/relaxed")])
    case("maildkim-rsa-sha1", "plain", [sig("maildkim", canon="relaxed/relaxed", algorithm=SHA1)],
         postseal="policy", note=SHA1_NOTE)
    case("maildkim-weak-512", "plain", [sig("maildkim", "r512", "relaxed/relaxed")],
         note="512-bit RSA key: below RFC 8301's 1024 bits; Mail::DKIM alone has no minimum and passes it")
    case("maildkim-revoked-key", "plain", [sig("maildkim", "revoked", "relaxed/relaxed")])
    case("maildkim-tampered-header", "plain", [sig("maildkim", canon="relaxed/relaxed")], damage="tamper-header")

    # OpenDKIM: all four canonicalizations, Ed25519, oversigned From, missing key, a second signer
    case("opendkim-ss-plain", "plain", [sig("opendkim", canon="simple/simple")])
    case("opendkim-sr-folded", "folded", [sig("opendkim", canon="simple/relaxed")])
    case("opendkim-rs-trailing-ws", "trailing-ws", [sig("opendkim", canon="relaxed/simple")])
    case("opendkim-rr-multipart", "multipart", [sig("opendkim", canon="relaxed/relaxed")])
    case("opendkim-ed-rr-utf8", "utf8", [sig("opendkim", "ed", "relaxed/relaxed")])
    case("opendkim-ed-rs-blank-body", "blank-body", [sig("opendkim", "ed", "relaxed/simple")])
    case("opendkim-ed-ss-plain", "plain", [sig("opendkim", "ed", "simple/simple")],
         note="OpenDKIM 2.11.0~beta2 (opendkim -t) writes Ed25519 signatures under simple header canonicalization that no "
              "verifier accepts, OpenDKIM itself included (its RSA ones and its relaxed Ed25519 ones verify); "
              "Postseal agrees with all of them")
    case("opendkim-oversign-header-case", "header-case", [sig("opendkim", canon="relaxed/relaxed", oversign=True)])
    case("opendkim-missing-key", "plain", [sig("opendkim", "gone", "relaxed/relaxed")])
    case("opendkim-over-dkimpy", "long-lines",
         [sig("dkimpy", canon="relaxed/simple"), sig("opendkim", canon="relaxed/relaxed")])

    # mailauth: all four canonicalizations, Ed25519, two signatures in one pass, l=, expiry, three signers
    case("mailauth-ss-utf8", "utf8", [sig("mailauth", canon="simple/simple")])
    case("mailauth-sr-long-lines", "long-lines", [sig("mailauth", canon="simple/relaxed")])
    case("mailauth-rs-multipart", "multipart", [sig("mailauth", canon="relaxed/simple")])
    case("mailauth-rr-header-case", "header-case", [sig("mailauth", canon="relaxed/relaxed")])
    case("mailauth-ed-ss-trailing-ws", "trailing-ws", [sig("mailauth", "ed", "simple/simple")])
    case("mailauth-rsa-and-ed", "folded",
         [sig("mailauth", canon="relaxed/relaxed", together=True), sig("mailauth", "ed", "relaxed/relaxed", together=True)])
    case("mailauth-l-full-empty-body", "empty-body", [sig("mailauth", canon="simple/simple", length=True)])
    case("mailauth-l-partial", "dot-lines", [sig("mailauth", canon="relaxed/relaxed", length=True)],
         damage="append-footer", postseal="policy", note=L_PARTIAL_NOTE)
    case("mailauth-expired", "plain", [sig("mailauth", canon="relaxed/relaxed", expired=True)])
    case("mailauth-three-signers", "trailing-ws",
         [sig("maildkim", canon="simple/simple"), sig("opendkim", canon="relaxed/simple"),
          sig("mailauth", canon="relaxed/relaxed")])
    return c


# ---------------------------------------------------------------------------------------------------
# outbound cases: unsigned messages From our domain, sent through each way into Postfix

def outbound_cases():
    c = []
    for v in VARIANTS:
        c.append(dict(id=f"out-internal-{v}", variant=v, route="internal", sign=True))
    for v in ["plain", "utf8", "folded", "trailing-ws", "empty-body", "long-lines"]:
        c.append(dict(id=f"out-submission-{v}", variant=v, route="submission", sign=True))
    for v in ["plain", "dot-lines", "multipart"]:
        c.append(dict(id=f"out-sendmail-{v}", variant=v, route="sendmail", sign=True))
    # Already signed by someone else (a message re-sent by a list): Postseal adds its own signatures.
    c.append(dict(id="out-internal-presigned", variant="header-case", route="internal", sign=True,
                  presign=sig("mailauth", canon="relaxed/relaxed")))
    # Control: an internal client sending as a domain Postseal does not sign for gets no signature.
    c.append(dict(id="out-internal-foreign-from", variant="plain", route="internal", sign=False,
                  sender="someone@elsewhere.example"))
    return c


# ---------------------------------------------------------------------------------------------------
# signing with the peers

def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n  failed ({done.returncode}): {done.stderr.strip()}")


def sign_with(work, spec, src, dst, batch=None):
    signer = spec["signer"]
    domain = domain_of(signer)
    key = key_path(work, spec["selector"])
    if signer == "dkimpy":
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "dkimpy_peer.py"), "sign", src, dst,
               "--domain", domain, "--selector", spec["selector"], "--key", key,
               "--algorithm", spec["algorithm"], "--canon", spec["canon"]]
        if spec.get("length"):
            cmd.append("--length")
    elif signer == "maildkim":
        cmd = ["perl", os.path.join(PEERS, "maildkim_peer.pl"), "sign", src, dst, domain, spec["selector"], key,
               spec["algorithm"], spec["canon"]] + (["oversign"] if spec.get("oversign") else [])
    elif signer == "opendkim":
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "opendkim_peer.py"), "sign", src, dst,
               "--domain", domain, "--selector", spec["selector"], "--key", key,
               "--algorithm", spec["algorithm"], "--canon", spec["canon"],
               "--workdir", os.path.join(work, "opendkim")] + (["--oversign"] if spec.get("oversign") else [])
    elif signer == "mailauth":
        specs = []
        for s in (batch or [spec]):
            item = dict(domain=domain_of(s["signer"]), selector=s["selector"], key=key_path(work, s["selector"]),
                        algorithm=s["algorithm"], canon=s["canon"], length=bool(s.get("length")))
            if s.get("expired"):
                item["expired"] = True
            specs.append(item)
        cmd = [NODE, os.path.join(PEERS, "mailauth_peer.js"), "sign", src, dst, json.dumps(specs)]
    else:
        raise ValueError(signer)
    run(cmd)


def damage(path, how):
    data = open(path, "rb").read()
    head, body = data.split(b"\r\n\r\n", 1)
    if how == "append-footer":  # what a mailing list does; l= signatures survive it
        body += b"-- \r\nfooter added after signing\r\n"
    elif how == "tamper-body":
        body = body.replace(b"plain message", b"plain massage", 1)
        assert b"massage" in body, "tamper-body found nothing to change"
    elif how == "tamper-header":
        assert b"Subject: plain message" in head
        head = head.replace(b"Subject: plain message", b"Subject: plain message (edited)", 1)
    else:
        raise ValueError(how)
    with open(path, "wb") as f:
        f.write(head + b"\r\n\r\n" + body)


def build(work):
    base = os.path.join(work, "corpus")
    for d in ("outbound", "inbound", "tmp"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    manifest = {"outbound": [], "inbound": []}

    for oc in outbound_cases():
        sender = oc.get("sender", f"alice@{OUR_DOMAIN}")
        recipient = "bob@dkimpy.example"
        headers, body = variant(oc["variant"], oc["id"], sender, recipient)
        path = os.path.join(base, "outbound", oc["id"] + ".eml")
        with open(path, "wb") as f:
            f.write(render(headers, body))
        if oc.get("presign"):
            tmp = os.path.join(base, "tmp", oc["id"] + ".eml")
            os.replace(path, tmp)
            sign_with(work, oc["presign"], tmp, path)
        manifest["outbound"].append(dict(oc, file=path, sender=sender, recipient=recipient,
                                          message_id=message_id(oc["id"])))

    for ic in inbound_cases():
        first = ic["sigs"][0]["signer"]
        sender = f"news@{domain_of(first)}"
        recipient = f"rcpt@{OUR_DOMAIN}"
        headers, body = variant(ic["variant"], ic["id"], sender, recipient)
        current = os.path.join(base, "tmp", ic["id"] + ".0.eml")
        with open(current, "wb") as f:
            f.write(render(headers, body))
        sigs = ic["sigs"]
        step = 0
        while step < len(sigs):
            spec = sigs[step]
            batch = [s for s in sigs[step:] if s.get("together")] if spec.get("together") else None
            nxt = os.path.join(base, "tmp", f"{ic['id']}.{step + 1}.eml")
            sign_with(work, spec, current, nxt, batch)
            current = nxt
            step += len(batch) if batch else 1
        path = os.path.join(base, "inbound", ic["id"] + ".eml")
        os.replace(current, path)
        if ic["damage"]:
            damage(path, ic["damage"])
        manifest["inbound"].append(dict(ic, file=path, sender=sender, recipient=recipient,
                                         message_id=message_id(ic["id"])))

    with open(os.path.join(base, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"corpus: {len(manifest['outbound'])} outbound and {len(manifest['inbound'])} inbound messages, "
          f"{sum(len(c['sigs']) for c in manifest['inbound'])} inbound signatures")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("keys", "build"):
        print(__doc__, file=sys.stderr)
        return 2
    make_keys(sys.argv[2]) if sys.argv[1] == "keys" else build(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
