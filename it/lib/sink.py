#!/usr/bin/python3
"""Reads what Postfix delivered to smtp-sink.

smtp-sink -d writes one file per mail transaction: its own records (X-Client-Addr, X-Client-Proto,
X-Helo-Args, X-Mail-Args, X-Rcpt-Args, a three-line Received: field), then the message as received,
with LF line ends and dot-stuffing undone, then one empty line. message() turns that back into the
CRLF message Postfix sent; trailing empty lines do not matter to DKIM (both body canonicalizations
drop them).

  sink.py wait DIR TIMEOUT MESSAGE-ID...   wait until every MESSAGE-ID was delivered; print
                                           "MESSAGE-ID<TAB>FILE" lines; exit 1 if some never came
  sink.py show DIR MESSAGE-ID              print that delivered message (CRLF)
  sink.py fields FILE AUTHSERV-ID DOMAIN   shell assignments about a saved message: dkim (DKIM-Signature
                                           fields), dkim_ours (those with d=DOMAIN), ar (Authentication-
                                           Results fields), ar_ours (those whose authserv-id is AUTHSERV-ID)
"""
import os
import re
import sys
import time

SINK_RECORDS = (b"X-Client-Addr:", b"X-Client-Proto:", b"X-Helo-Args:", b"X-Mail-Args:", b"X-Rcpt-Args:")
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]*>)", re.IGNORECASE | re.MULTILINE)


def message(dump_bytes):
    lines = dump_bytes.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(SINK_RECORDS):
        i += 1
    if i < len(lines) and lines[i].startswith(b"Received:"):  # smtp-sink's own, always present
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\r\n".join(lines[i:])


def client_addr(dump_bytes):
    m = re.match(rb"X-Client-Addr: (\S+)", dump_bytes)
    return m.group(1).decode() if m else ""


def delivered(directory):
    """Message-ID -> path of each dump in DIR (the first delivery of a Message-ID wins)."""
    found = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        head = message(data).split(b"\r\n\r\n", 1)[0]
        m = MESSAGE_ID.search(head)
        if m:
            found.setdefault(m.group(1).decode("ascii", "replace"), path)
    return found


def wait(directory, timeout, message_ids):
    deadline = time.monotonic() + timeout
    while True:
        found = delivered(directory)
        missing = [m for m in message_ids if m not in found]
        if not missing or time.monotonic() > deadline:
            return found, missing
        time.sleep(0.3)


def fields(path, authserv_id, domain):
    head = open(path, "rb").read().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    unfolded = re.sub(r"\n[ \t]+", " ", head).split("\n")
    dkim = [f for f in unfolded if re.match(r"(?i)dkim-signature\s*:", f)]
    ar = [f for f in unfolded if re.match(r"(?i)authentication-results\s*:", f)]
    return {
        "dkim": len(dkim),
        "dkim_ours": sum(1 for f in dkim if re.search(r"[;:\s]d=" + re.escape(domain) + r"\s*(;|$)", f)),
        "ar": len(ar),
        "ar_ours": sum(1 for f in ar if re.match(r"(?i)authentication-results\s*:\s*" + re.escape(authserv_id) + r"\s*;", f)),
    }


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "fields":
        for key, value in fields(*sys.argv[2:]).items():
            print(f"{key}={value}")
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "wait":
        found, missing = wait(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
        for m in sys.argv[4:]:
            if m in found:
                print(f"{m}\t{found[m]}")
        for m in missing:
            print(f"not delivered: {m}", file=sys.stderr)
        return 1 if missing else 0
    if len(sys.argv) == 4 and sys.argv[1] == "show":
        found = delivered(sys.argv[2])
        if sys.argv[3] not in found:
            print(f"not delivered: {sys.argv[3]}", file=sys.stderr)
            return 1
        sys.stdout.buffer.write(message(open(found[sys.argv[3]], "rb").read()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
