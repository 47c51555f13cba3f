#!/usr/bin/python3
"""Checks a DMARC aggregate report mail as it arrived at smtp-sink (RFC 9990).

  report.py check SINK-DIR MESSAGE-ID DNS-HOST:PORT XSD SIGNING-DOMAIN POLICY-DOMAIN MESSAGES DESTINATIONS

Waits (20 s at most) for every delivery of MESSAGE-ID (one per rua destination; DESTINATIONS is their number) and
checks, on each: the
Subject "Report Domain: POLICY-DOMAIN Submitter: S Report-ID: ID", Auto-Submitted: auto-generated, From in
SIGNING-DOMAIN and a DKIM signature of SIGNING-DOMAIN that dkimpy verifies against DNS-HOST:PORT (the report must
pass DMARC aligned); one application/gzip attachment named S!POLICY-DOMAIN!BEGIN!END!ID.xml.gz whose XML xmllint
validates against XSD and whose report_id, policy domain and message count (MESSAGES) are what the name and the
subject say. Prints the first mail's header, the XML and the DKIM result; exits 1 naming what is wrong.
"""
import email
import email.policy
import gzip
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import dkim
import dns.resolver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sink  # noqa: E402

NS = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}


def deliveries(directory, message_id):
    found = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        raw = sink.message(open(path, "rb").read())
        head = raw.split(b"\r\n\r\n", 1)[0]
        m = sink.MESSAGE_ID.search(head)
        if m and m.group(1).decode("ascii", "replace") == message_id:
            found.append(raw)
    return found


def dkim_results(raw, dns_server):
    host, _, port = dns_server.partition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port or 53)

    def dnsfunc(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode("ascii").rstrip("."), "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b"".join(answer[0].strings)

    d = dkim.DKIM(raw, minkey=1024)
    results = []
    for idx, (name, value) in enumerate([h for h in d.headers if h[0].lower() == b"dkim-signature"]):
        tags = dict(re.findall(rb"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^;]*)", value))
        ok = d.verify(idx=idx, dnsfunc=dnsfunc)
        results.append((tags.get(b"d", b"").decode().strip(), tags.get(b"s", b"").decode().strip(),
                        tags.get(b"a", b"").decode().strip(), "pass" if ok else "fail"))
    return results


def check(raw, dns_server, xsd, signing_domain, policy_domain, messages, problems):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(msg["Subject"])
    m = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) Report-ID: ([0-9a-f]{32})", subject)
    if not m or m.group(1) != policy_domain:
        problems.append(f"subject is not RFC 9990's for {policy_domain}: {subject!r}")
        return None
    submitter, report_id = m.group(2), m.group(3)
    if str(msg["Auto-Submitted"]) != "auto-generated":
        problems.append(f"Auto-Submitted is {msg['Auto-Submitted']!r}")
    if not str(msg["From"]).endswith("@" + signing_domain):
        problems.append(f"From {msg['From']} is not in {signing_domain}")
    results = dkim_results(raw, dns_server)
    if not any(d == signing_domain and r == "pass" for d, s, a, r in results):
        problems.append(f"no passing DKIM signature of {signing_domain}: {results}")
    parts = [p for p in msg.walk() if p.get_content_type() == "application/gzip"]
    if len(parts) != 1:
        problems.append(f"{len(parts)} application/gzip parts, expected 1")
        return None
    name = parts[0].get_filename()
    fm = re.fullmatch(re.escape(submitter) + "!" + re.escape(policy_domain) + r"!(\d+)!(\d+)!([0-9a-f]{32})\.xml\.gz",
                      name or "")
    if not fm or fm.group(3) != report_id:
        problems.append(f"attachment name {name!r} is not {submitter}!{policy_domain}!BEGIN!END!{report_id}.xml.gz")
    xml = gzip.decompress(parts[0].get_payload(decode=True))
    lint = subprocess.run(["xmllint", "--noout", "--schema", xsd, "-"], input=xml, capture_output=True)
    if lint.returncode != 0:
        problems.append("xmllint: " + lint.stderr.decode("utf-8", "replace").strip())
    root = ET.fromstring(xml)
    if root.tag != "{urn:ietf:params:xml:ns:dmarc-2.0}feedback":
        problems.append(f"root element {root.tag}")
    if root.findtext("d:report_metadata/d:report_id", namespaces=NS) != report_id:
        problems.append("report_id in the XML differs from the subject's")
    if root.findtext("d:policy_published/d:domain", namespaces=NS) != policy_domain:
        problems.append("policy_published/domain differs")
    if fm and (root.findtext("d:report_metadata/d:date_range/d:begin", namespaces=NS) != fm.group(1)
               or root.findtext("d:report_metadata/d:date_range/d:end", namespaces=NS) != fm.group(2)):
        problems.append("date_range differs from the file name")
    count = sum(int(c.text) for c in root.findall("d:record/d:row/d:count", NS))
    if count != messages:
        problems.append(f"the report counts {count} messages, expected {messages}")
    return msg, xml, results


def main():
    if len(sys.argv) != 10 or sys.argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    directory, message_id, dns_server, xsd, signing_domain, policy_domain = sys.argv[2:8]
    messages, destinations = int(sys.argv[8]), int(sys.argv[9])
    deadline = time.monotonic() + 20
    found = deliveries(directory, message_id)
    while len(found) < destinations and time.monotonic() < deadline:
        time.sleep(0.3)
        found = deliveries(directory, message_id)
    problems = []
    if len(found) != destinations:
        problems.append(f"{len(found)} deliveries of {message_id}, expected {destinations}")
    first = None
    for raw in found:
        checked = check(raw, dns_server, xsd, signing_domain, policy_domain, messages, problems)
        first = first or checked
    if first:
        msg, xml, results = first
        header = found[0].split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        print(header)
        print()
        print(xml.decode("utf-8"))
        print("DKIM (dkimpy): " + "; ".join(f"d={d} s={s} a={a}: {r}" for d, s, a, r in results))
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
