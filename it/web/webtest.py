#!/usr/bin/env python3
"""The helpers of it/web/browser-test.sh, Python 3 standard library only (no internet, nothing to install):

  webtest.py free-ports N                       N ports free on 127.0.0.1 for TCP and UDP, one per line
  webtest.py shift SRC_DIR DST_DIR              copy the sample reports with their periods moved by whole days so
                                                that the newest ends at the last UTC midnight (the page shows the
                                                last 30 days; the committed files keep their own dates)
  webtest.py services DNS_PORT SMTP_PORT LOG    a DNS server (UDP, the zones below) and an SMTP sink on 127.0.0.1,
                                                in the foreground until killed
  webtest.py inbound HOST PORT                  the inbound messages below through Postseal's milter socket, as
                                                Postfix speaks the protocol; fails unless each gets its verdict
  webtest.py wait-evaluated POSTSEAL CONFIG N   wait (20 s at most) until `report show --json` counts N messages
  webtest.py headers URL                        checks of the HTTP response of the page (status, type, CSP)
  webtest.py check LABEL DOM RECEIVED EVALUATED STATUS DB SIGNING_DOMAINS [DOCTOR_JSON...] [--days=N]
                                                the page (Chromium's --dump-dom) against the store's numbers and
                                                the doctor's findings
  webtest.py selftest LABEL DOM ... (as check)  the same checks on the DOM spoiled one way at a time must fail
  webtest.py png LABEL FILE                     checks that the screenshot is a real picture of a page

Every check prints "   PASS name" or "   FAIL name [detail]" and a last line "checks: P passed, F failed" that the
shell script adds up.
"""
import collections
import datetime
import html.parser
import json
import os
import re
import socket
import socketserver
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib

# ---------------------------------------------------------------------------------------------------------------
# checks


class Checks:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("   PASS %s: %s" % (self.label, name), flush=True)
        else:
            self.failed += 1
            print("   FAIL %s: %s%s" % (self.label, name, " [%s]" % detail if detail else ""), flush=True)
        return ok

    def equal(self, name, shown, expected):
        return self.check(name, shown == expected, "page shows %r, the store says %r" % (shown, expected))

    def done(self):
        print("checks: %d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


# ---------------------------------------------------------------------------------------------------------------
# free ports

def free_ports(n):
    ports, held = [], []
    while len(ports) < n:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        p = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", p))
        except OSError:
            u.close()
            t.close()
            continue
        held += [u, t]
        ports.append(p)
    for s in held:
        s.close()
    return ports


# ---------------------------------------------------------------------------------------------------------------
# the sample, moved in time

def shift(src, dst):
    files = sorted(f for f in os.listdir(src) if f.endswith(".xml"))
    texts = {f: open(os.path.join(src, f), encoding="utf-8").read() for f in files}
    ends = [int(m) for t in texts.values() for m in re.findall(r"<end>(\d+)</end>", t)]
    now = int(time.time())
    last_midnight = now - now % 86400
    days = (last_midnight - (max(ends) + 1)) // 86400
    delta = days * 86400
    os.makedirs(dst, exist_ok=True)
    for f, t in texts.items():
        t = re.sub(r"<(begin|end)>(\d+)</\1>", lambda m: "<%s>%d</%s>" % (m.group(1), int(m.group(2)) + delta,
                                                                         m.group(1)), t)
        open(os.path.join(dst, f), "w", encoding="utf-8").write(t)
    print("moved %d reports by %d days" % (len(files), days))


# ---------------------------------------------------------------------------------------------------------------
# DNS and SMTP for serve and `report send`

# Our domain publishes SPF for its server and its newsletter provider; the senders of the inbound messages publish
# SPF and DMARC; PTR names for the sources of the sample, one of them markup (a reverse name is attacker-controlled
# data like the reports).
ZONE = {
    ("example.com", 16): ["v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.20 -all"],
    ("_dmarc.example.com", 16): ["v=DMARC1; p=none; rua=mailto:dmarc@example.com"],
    ("news.example.org", 16): ["v=spf1 ip4:198.51.100.10 -all"],
    ("_dmarc.news.example.org", 16): ["v=DMARC1; p=reject; rua=mailto:dmarc@news.example.org"],
    ("shop.example.net", 16): ["v=spf1 ip4:198.51.100.30 -all"],
    ("_dmarc.shop.example.net", 16): ["v=DMARC1; p=quarantine; rua=mailto:reports@dmarc.elsewhere.example"],
    ("bank.example.net", 16): ["v=spf1 ip4:198.51.100.40 -all"],
    ("_dmarc.bank.example.net", 16): ["v=DMARC1; p=reject; rua=mailto:dmarc@bank.example.net"],
    ("5.113.0.203.in-addr.arpa", 12): ["mx.example.com"],
    ("20.100.51.198.in-addr.arpa", 12): ["out.mailhost.example"],
    ("66.2.0.192.in-addr.arpa", 12): ["<b>spoofer</b>.evil.example"],
}
ZONE_NAMES = {name for name, _ in ZONE}


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("utf-8")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def dns_answer(query):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if qd != 1:
        return None
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("utf-8", "replace"))
        pos += 1 + n
    pos += 1
    qtype, _ = struct.unpack(">HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    name = ".".join(labels).lower()
    records = ZONE.get((name, qtype), [])
    rcode = 0 if name in ZONE_NAMES else 3
    answers = b""
    for r in records:
        if qtype == 16:
            raw = r.encode()
            rdata = b"".join(bytes([len(raw[i:i + 255])]) + raw[i:i + 255] for i in range(0, len(raw), 255))
        else:
            rdata = dns_name(r)
        answers += struct.pack(">HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
    header = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 1, len(records), 0, 0)
    return header + question + answers


class SmtpSink(socketserver.StreamRequestHandler):
    """Accepts every message except to @bank.example.net (550): one report is sent, one fails for good."""

    def handle(self):
        log = self.server.log
        self.wfile.write(b"220 sink.test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                self.wfile.write(b"250 sink.test\r\n")
            elif cmd.startswith(b"RCPT"):
                if b"@BANK.EXAMPLE.NET" in cmd:
                    self.wfile.write(b"550 5.1.1 <dmarc@bank.example.net>: mailbox unavailable\r\n")
                else:
                    self.wfile.write(b"250 2.1.5 ok\r\n")
            elif cmd == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                size = 0
                while True:
                    data = self.rfile.readline()
                    if not data or data == b".\r\n":
                        break
                    size += len(data)
                log.write("smtp: message of %d bytes\n" % size)
                log.flush()
                self.wfile.write(b"250 2.0.0 queued\r\n")
            elif cmd == b"QUIT":
                self.wfile.write(b"221 2.0.0 bye\r\n")
                return
            else:
                self.wfile.write(b"250 2.0.0 ok\r\n")


def services(dns_port, smtp_port, log_path):
    log = open(log_path, "a")
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", smtp_port), SmtpSink)
    smtp.daemon_threads = True
    smtp.log = log
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", dns_port))
    log.write("dns on 127.0.0.1:%d, smtp on 127.0.0.1:%d\n" % (dns_port, smtp_port))
    log.flush()
    while True:
        query, peer = udp.recvfrom(4096)
        answer = dns_answer(query)
        if answer is not None:
            udp.sendto(answer, peer)


# ---------------------------------------------------------------------------------------------------------------
# inbound messages through the milter socket (protocol 6, as Postfix 3.x; see bench/first_message.py)

Z = b"\0"
NO_REPLY = {b"C": 0x1000, b"H": 0x2000, b"M": 0x4000, b"R": 0x8000, b"T": 0x10000, b"L": 0x80, b"N": 0x40000,
            b"B": 0x80000}

# (client IP, HELO, MAIL FROM, From:, extra header lines, expected verdict: accept or reject)
INBOUND = (
    [("198.51.100.10", "mail.news.example.org", "bounce@news.example.org", "News <news@news.example.org>", [],
      "accept")] * 5
    + [("192.0.2.99", "spoofer.test", "ceo@news.example.org", "CEO <ceo@news.example.org>", [], "reject")] * 2
    + [("198.51.100.30", "mail.shop.example.net", "orders@shop.example.net", "Shop <orders@shop.example.net>", [],
        "accept")] * 3
    + [("192.0.2.98", "spoofer.test", "orders@shop.example.net", "Shop <orders@shop.example.net>", [], "accept")] * 2
    # a trusted forwarder (dmarc.trusted-forwarders): a list, an SRS forwarder, and neither
    + [("192.0.2.150", "lists.example.org", "news-bounces@lists.example.org", "News <news@news.example.org>",
        ["List-Id: <news.lists.example.org>"], "accept")] * 2
    + [("192.0.2.150", "lists.example.org", "SRS0=HHH=TT=news.example.org=news@lists.example.org",
        "News <news@news.example.org>", [], "accept")]
    + [("192.0.2.150", "lists.example.org", "someone@lists.example.org", "News <news@news.example.org>", [],
        "accept")]
    # bank.example.net publishes p=reject but is in dmarc.never-reject: quarantined (local_policy)
    + [("192.0.2.97", "spoofer.test", "alerts@bank.example.net", "Bank <alerts@bank.example.net>", [], "accept")]
    # a spoof of our own domain: rejected whatever we publish (dmarc.protect-own-domains)
    + [("192.0.2.66", "spoofer.test", "ceo@example.com", "CEO <ceo@example.com>", [], "reject")]
)


class Milter:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=30)
        self.buf = b""
        self.send(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF))
        _, p = self.recv()
        _, _, self.steps = struct.unpack(">III", p[:12])

    def send(self, cmd, payload=b""):
        self.s.sendall(struct.pack(">I", len(payload) + 1) + cmd + payload)

    def recv(self):
        while len(self.buf) < 4 or len(self.buf) < 4 + struct.unpack(">I", self.buf[:4])[0]:
            d = self.s.recv(65536)
            if not d:
                raise SystemExit("the milter closed the connection")
            self.buf += d
        n = struct.unpack(">I", self.buf[:4])[0]
        pkt, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return pkt[:1], pkt[1:]

    def step(self, cmd, payload=b"", macros=None):
        if macros is not None:
            self.send(b"D", cmd + b"".join(k + Z + v + Z for k, v in macros))
        self.send(cmd, payload)
        if cmd in NO_REPLY and self.steps & NO_REPLY[cmd]:
            return None
        return self.recv()


def one_message(host, port, n, ip, helo, mail_from, from_header, extra):
    m = Milter(host, port)
    qid = b"WEB%d" % n
    try:
        ipb = ip.encode()
        for cmd, payload, macros in [
                (b"C", b"client.test" + Z + (b"6" if ":" in ip else b"4") + struct.pack(">H", 40000 + n) + ipb + Z,
                 [(b"j", b"mx.example.com"), (b"{client_addr}", ipb)]),
                (b"H", helo.encode() + Z, None),
                (b"M", b"<" + mail_from.encode() + b">" + Z, [(b"i", qid)]),
                (b"R", b"<rcpt@example.com>" + Z, None)]:
            reply = m.step(cmd, payload, macros)
            if reply is not None and reply[0] in (b"r", b"y", b"t", b"d"):
                return reply
        m.step(b"T", b"", [(b"i", qid)])
        headers = [("From", from_header), ("To", "rcpt@example.com"), ("Subject", "web test message %d" % n),
                   ("Date", time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())),
                   ("Message-ID", "<web-%d-%d@%s>" % (n, time.time_ns(), helo))]
        headers += [tuple(h.split(": ", 1)) for h in extra]
        for name, value in headers:
            reply = m.step(b"L", name.encode() + Z + b" " + value.encode() + Z)
            if reply is not None and reply[0] in (b"r", b"y", b"t", b"d"):
                return reply
        m.step(b"N")
        m.step(b"B", b"Hello from the web page test.\r\n")
        m.send(b"E")
        while True:
            c, p = m.recv()
            if c in (b"c", b"a", b"r", b"t", b"y", b"d"):
                return c, p
    finally:
        try:
            m.send(b"Q")
        except OSError:
            pass
        m.s.close()


def inbound(host, port):
    bad = 0
    for n, (ip, helo, mail_from, from_header, extra, expected) in enumerate(INBOUND, 1):
        c, p = one_message(host, port, n, ip, helo, mail_from, from_header, extra)
        verdict = "reject" if c == b"r" or (c == b"y" and p[:1] == b"5") else "accept" if c in (b"a", b"c") else "other"
        if verdict != expected:
            bad += 1
            print("inbound message %d from %s (%s): %s %r, expected %s" % (n, ip, from_header, c, p[:120], expected))
    print("inbound: %d messages sent, %d with an unexpected verdict" % (len(INBOUND), bad))
    return 1 if bad else 0


def wait_evaluated(postseal, config, n):
    total = -1
    for _ in range(100):
        out = subprocess.run([postseal, "report", "show", "--json", "--since", "1d", "--config", config],
                             capture_output=True, text=True)
        if out.returncode == 0:
            total = sum(r["count"] for r in json.loads(out.stdout)["rows"])
            if total >= n:
                print("the store holds %d evaluated messages" % total)
                return 0
        time.sleep(0.2)
    print("the store holds %d evaluated messages after 20 s, not %d" % (total, n))
    return 1


# ---------------------------------------------------------------------------------------------------------------
# the DOM as Chromium serialized it

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def has(self, name, value):
        """Attribute name is value; for class: one of its words is."""
        if name == "class":
            return value in self.attrs.get("class", "").split()
        return self.attrs.get(name) == value

    def find_all(self, tag=None, **attrs):
        for n in self.walk():
            if (tag is None or n.tag == tag) and all(n.has(k.replace("_", "-"), v) for k, v in attrs.items()):
                yield n

    def find(self, tag=None, **attrs):
        return next(self.find_all(tag, **attrs), None)


class DomBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, [(k, v if v is not None else "") for k, v in attrs], self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, [(k, v if v is not None else "") for k, v in attrs], self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    b = DomBuilder()
    b.feed(open(path, encoding="utf-8").read())
    b.close()
    return b.root


def leading_number(text):
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)", text)
    return m.group(1) if m else None


def leading_int(text):
    n = leading_number(text)
    return int(n) if n is not None and "." not in n else None


def exact_int(text):
    """The number a marked element shows: its whole text, digits only (no separators, nothing beside it)."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"\d+", text) else text


# The hostile sample (it/web/sample/reports/hostile!*): what must show as text, and the markup it tries to inject
# (the report about HOSTILE_DOMAIN is refused at import: a policy domain must be a domain name).
HOSTILE_ORG = "<script>document.title='pwned'</script>"
HOSTILE_DOMAIN = "\"><svg onload=\"document.title='pwned'\">.example"


def check_page(label, dom_path, received_path, evaluated_path, status_path, db_path, signing, doctor_paths,
               days=30):
    c = Checks(label)
    doctor = {}
    for path in doctor_paths:
        d = json.load(open(path))
        doctor[d["domain"]] = d
    root = parse(dom_path)
    received = json.load(open(received_path))
    evaluated = json.load(open(evaluated_path))
    status = json.load(open(status_path))
    everything = list(root.walk())

    # -- escaping: the hostile report renders as text, nothing it carries becomes markup
    c.check("no <script> element in the page", not any(n.tag == "script" for n in everything),
            "%d script elements" % sum(n.tag == "script" for n in everything))
    handlers = sorted({"<%s %s>" % (n.tag, a) for n in everything for a in n.attrs if a.lower().startswith("on")})
    c.check("no element has an event handler attribute (on...)", not handlers, ", ".join(handlers))
    injected = [n.tag for n in everything if n.tag in ("img", "iframe", "object", "embed", "base", "marquee", "frame")]
    injected += ["h1#injected" for n in everything if n.attrs.get("id") == "injected"]
    injected += ["a[href=javascript:]" for n in everything if n.attrs.get("href", "").strip().lower()
                 .startswith("javascript:")]
    injected += ["<b>%s</b>" % n.text() for n in everything if n.tag == "b" and n.text() in ("sel", "spoofer")]
    injected += ["<i>reject</i>" for n in everything if n.tag == "i" and n.text() == "reject"]
    c.check("no element injected by the hostile report (img, iframe, h1#injected, javascript: link, ...)",
            not injected, ", ".join(injected))
    title = root.find("title")
    c.check("document title is not 'pwned'", title is not None and title.text().strip() != "pwned"
            and "pwned" not in title.text(), "title: %r" % (title.text() if title else None))
    body = root.find("body")
    body_text = body.text() if body else ""
    # (its one stored report, about example.com, lies outside a window of one day)
    if any(r["reporter"] == HOSTILE_ORG for r in received["reporters"]):
        c.check("the hostile reporter's org_name shows as literal text: %s" % HOSTILE_ORG, HOSTILE_ORG in body_text)
    else:
        c.check("the hostile reporter, outside this window, is not shown", HOSTILE_ORG not in body_text)
    # the hostile reporter's second report names a policy domain that is markup: the importer refused it (no domain
    # published a record under that name), so nothing of it is on the page
    c.check("the report whose policy domain is markup (%s) was refused: no section, not shown" % HOSTILE_DOMAIN,
            HOSTILE_DOMAIN not in body_text and not any(n.attrs.get("data-domain") == HOSTILE_DOMAIN for n in everything))
    external = sorted({"%s=%s" % (a, v) for n in everything for a, v in n.attrs.items()
                       if a in ("src", "href", "xlink:href", "action", "poster", "data")
                       and re.match(r"\s*(https?:|//|ftp:|file:)", v, re.I)})
    c.check("nothing in the page loads from elsewhere (no http:, //, file: src or href)", not external,
            ", ".join(external))

    window = root.find(data_window_days="")
    if window is None:
        window = next((n for n in everything if "data-window-days" in n.attrs), None)
    c.equal("the window shown is the store's (days)", exact_int(window.text()) if window is not None else None,
            days)

    # -- one section per domain: our signing domains and every policy domain receivers reported about
    sections = list(root.find_all("section", **{"class": "domain"}))
    shown_domains = [s.attrs.get("data-domain") for s in sections]
    expected_domains = sorted(set(signing) | {d["domain"] for d in received["domains"]})
    c.equal("one domain section per domain, in domain order", shown_domains, expected_domains)
    for dom in sorted(set(signing) - {d["domain"] for d in received["domains"]}):
        sec = next((s for s in sections if s.attrs.get("data-domain") == dom), None)
        el = sec.find(data_metric="messages") if sec is not None else None
        c.equal("%s (no report received): 0 messages" % dom, el.text().strip() if el is not None else None, "0")
    for d in received["domains"]:
        dom = d["domain"]
        sec = next((s for s in sections if s.attrs.get("data-domain") == dom), None)
        if not c.check("%s: a section" % dom, sec is not None):
            continue

        def metric(name):
            el = sec.find(data_metric=name)
            return el.text().strip() if el is not None else None

        c.equal("%s: messages" % dom, exact_int(metric("messages")), d["messages"])
        c.equal("%s: passing DMARC" % dom, exact_int(metric("dmarc-pass")), d["dmarc_pass"])
        share = metric("pass-share")
        expected_share = 100.0 * d["dmarc_pass"] / d["messages"] if d["messages"] else 100.0
        c.check("%s: pass share %s%% (one decimal)" % (dom, share), share is not None and re.fullmatch(
            r"-?\d+\.\d", share) is not None and abs(float(share) - expected_share) <= 0.05 + 1e-9,
            "page shows %r, the store says %.4f" % (share, expected_share))
        c.equal("%s: policy published" % dom, metric("policy"), d["policy"])

        days = [x for x in received["days"] if x["domain"] == dom]
        chart = sec.find("svg", **{"class": "pass-chart"})
        bars = list(chart.find_all("rect", **{"class": "day"})) if chart is not None else []
        shown_days = sorted((b.attrs.get("data-day"), int(b.attrs.get("data-messages", -1)),
                             int(b.attrs.get("data-pass", -1))) for b in bars)
        c.equal("%s: chart bars (day, messages, passing) per day" % dom, shown_days,
                sorted((x["day"], x["messages"], x["dmarc_pass"]) for x in days))
        titles_ok = all(b.find("title") is not None and re.search(r"\b%s\b" % b.attrs.get("data-messages"),
                                                                  b.find("title").text()) for b in bars)
        c.check("%s: each bar's hover title says its message count" % dom, bars and titles_ok)

        sources = [s for s in received["sources"] if s["domain"] == dom]
        table = sec.find("table", **{"class": "sources"})
        rows = list(table.find_all("tr", **{"class": "source"})) if table is not None else []
        c.equal("%s: source rows, failing first, in the store's order" % dom, [r.attrs.get("data-ip") for r in rows],
                [s["source_ip"] for s in sources])
        failing = [r.attrs.get("data-failing") for r in rows]
        c.check("%s: failing sources marked and first" % dom, failing == sorted(failing, key=lambda f: f != "true"),
                str(failing))
        for s, r in zip(sources, rows):
            ip = s["source_ip"]

            def cell(col):
                td = r.find("td", data_col=col)
                return td.text().strip() if td is not None else None

            shown = {"ours": r.attrs.get("data-ours"), "failing": r.attrs.get("data-failing"),
                     "messages": exact_int(cell("messages")), "spf": exact_int(cell("spf-pass")),
                     "dkim": exact_int(cell("dkim-pass")), "dmarc": exact_int(cell("dmarc-pass"))}
            want = {"ours": "true" if s["ours"] else "false",
                    "failing": "true" if s["dmarc_pass"] < s["messages"] else "false",
                    "messages": s["messages"], "spf": s["spf_pass"], "dkim": s["dkim_pass"], "dmarc": s["dmarc_pass"]}
            c.equal("%s %s: ours, failing, messages, SPF/DKIM/DMARC passes" % (dom, ip), shown, want)
            # each pass count's rate is in the next cell (td.rate): the same count over the same messages
            tds = [n for n in r.children if isinstance(n, Node) and n.tag == "td"]
            rates, want_rates = [], []
            for col, key in (("spf-pass", "spf_pass"), ("dkim-pass", "dkim_pass"), ("dmarc-pass", "dmarc_pass")):
                i = next((k for k, td in enumerate(tds) if td.attrs.get("data-col") == col), None)
                nxt_td = tds[i + 1] if i is not None and i + 1 < len(tds) else None
                rates.append(nxt_td.text().strip() if nxt_td is not None and nxt_td.has("class", "rate") else None)
                want_rates.append(100.0 * s[key] / s["messages"])
            c.check("%s %s: SPF/DKIM/DMARC rates beside the counts %s" % (dom, ip, rates),
                    all(x is not None and re.fullmatch(r"\d+\.\d%", x) and abs(float(x[:-1]) - w) <= 0.05 + 1e-9
                        for x, w in zip(rates, want_rates)), "expected %s" % ["%.2f" % w for w in want_rates])
            if "first_begin" in s:
                c.equal("%s %s: first and last seen (UTC days)" % (dom, ip), (cell("first-seen"), cell("last-seen")),
                        (s["first_begin"][:10], s["last_end"][:10]))
            rev = cell("reverse-name")
            c.check("%s %s: reverse name %r" % (dom, ip, s["reverse_dns"]),
                    rev is not None and (s["reverse_dns"] in rev if s["reverse_dns"] else rev in ("", "-", "\u2014")),
                    "page shows %r" % rev)
            reps = cell("reporters") or ""
            c.check("%s %s: reporters %s" % (dom, ip, s["reporters"]), all(x in reps for x in s["reporters"]),
                    "page shows %r" % reps)
        # the reporters table is optional in the contract: checked where the page has it
        rtable = sec.find("table", **{"class": "reporters"})
        if rtable is not None:
            def num(row, col):
                td = row.find("td", data_col=col)
                return leading_int(td.text().strip()) if td is not None else None
            shown = sorted((r.attrs.get("data-reporter"), num(r, "reports"), num(r, "messages"), num(r, "dmarc-pass"),
                            num(r, "sources")) for r in rtable.find_all("tr", **{"class": "reporter"}))
            c.equal("%s: reporters table (reporter, reports, messages, passing, sources)" % dom, shown, sorted(
                (r["reporter"], r["reports"], r["messages"], r["dmarc_pass"], r["sources"])
                for r in received["reporters"] if r["domain"] == dom))
        nxt = sec.find("p", **{"class": "next-step"})
        if dom in doctor:
            said = [f["message"] for f in doctor[dom]["findings"] if f["area"] == "Reports"]
            c.check("%s: the next step is what `postseal doctor %s` says" % (dom, dom),
                    nxt is not None and any(m in nxt.text() for m in said),
                    "page: %r; doctor: %r" % (nxt.text().strip() if nxt is not None else None, said))
        c.check("%s: the next policy step%s" % (dom, " names p=" + d["next_policy"] if d["next_policy"] else ""),
                nxt is not None and nxt.text().strip() != "" and (not d["next_policy"] or d["next_policy"]
                                                                  in nxt.text()),
                "page shows %r" % (nxt.text().strip() if nxt is not None else None))

    # -- what we did with other domains' mail, from our own results store
    inb = root.find("section", **{"class": "inbound"})
    if not c.check("the inbound section", inb is not None):
        return c.done()
    totals = {}
    for r in evaluated["rows"]:
        d = r["policy_domain"] or r["header_from"]
        t = totals.setdefault(d, {"messages": 0, "dmarc-pass": 0, "rejected": 0, "quarantined": 0,
                                  "overridden": 0, "reasons": {}})
        t["messages"] += r["count"]
        t["dmarc-pass"] += r["count"] if r["dmarc"] == "pass" else 0
        t["rejected"] += r["count"] if r["disposition"] == "reject" else 0
        t["quarantined"] += r["count"] if r["disposition"] == "quarantine" else 0
    # override reasons are in the store, not in `report show --json`: read them where serve wrote them
    since = int(datetime.datetime.fromisoformat(evaluated["since"].replace("Z", "+00:00")).timestamp())
    with sqlite3.connect("file:%s?mode=ro" % db_path, uri=True) as db:
        for pd, hf, reasons in db.execute("SELECT policy_domain, header_from, reasons FROM evaluated_message"
                                          " WHERE evaluated_at >= ?", (since,)):
            types = {line.split("\t")[0] for line in reasons.splitlines() if line.strip()}
            t = totals.get(pd or hf)
            if t is None or not types:
                continue
            t["overridden"] += 1
            for ty in types:
                t["reasons"][ty] = t["reasons"].get(ty, 0) + 1
    decisions = inb.find("table", **{"class": "our-decisions"})
    rows = list(decisions.find_all("tr", **{"class": "policy-domain"})) if decisions is not None else []
    busiest = sorted(totals, key=lambda d: -totals[d]["messages"])
    c.equal("inbound: one row per policy domain we evaluated", sorted(r.attrs.get("data-domain") for r in rows),
            sorted(busiest[:50]))
    counts = [totals.get(r.attrs.get("data-domain"), {}).get("messages", -1) for r in rows]
    c.check("inbound: busiest first", counts == sorted(counts, reverse=True), str(counts))
    for r in rows:
        d = r.attrs.get("data-domain")
        t = totals.get(d)
        if t is None:
            continue
        shown = {col: leading_int(r.find("td", data_col=col).text().strip()) if r.find("td", data_col=col) else None
                 for col in ("messages", "dmarc-pass", "rejected", "quarantined", "overridden")}
        c.equal("inbound %s: messages, passing, rejected, quarantined, overridden" % d, shown,
                {k: t[k] for k in shown})
        reasons = {el.attrs["data-override-reason"]: leading_int(el.text().strip())
                   for el in r.find_all() if "data-override-reason" in el.attrs}
        c.equal("inbound %s: override reasons with counts" % d, reasons, t["reasons"])

    # the reports we sent: one row per report in the window (its destinations' states)
    sent = inb.find("table", **{"class": "we-reported"})
    rows = list(sent.find_all("tr", **{"class": "sent-report"})) if sent is not None else []
    shown = sorted((r.attrs.get("data-to-domain"), r.attrs.get("data-state"), int(r.attrs.get("data-messages", -1)))
                   for r in rows)
    reports = {}
    for d in status["deliveries"]:
        reports.setdefault(d["report_id"], (d["policy_domain"], d["messages"], set()))[2].add(d["state"])
    # a report with several destinations in different states is "mixed" (the page's word; the contract lists states)
    want = sorted((pd, next(iter(states)) if len(states) == 1 else "mixed", m) for pd, m, states in reports.values())
    c.equal("inbound: the reports we sent (policy domain, state, messages), one row each", shown, want)
    c.check("inbound: the reports we sent are not all in one state (sent, failed, refused: the sample makes each)",
            len({st for _, st, _ in want}) >= 3, str(want))
    return c.done()


# The checks must be able to fail: the page as Chromium gave it, spoiled one way at a time, must fail the check
# named (a page that escaped nothing, a number off by one in each kind of marker).
MUTATIONS = [
    ("a page that does not escape the reporter's name", "no <script> element",
     lambda t: t.replace("&lt;script&gt;document.title='pwned'&lt;/script&gt;",
                         "<script>document.title='pwned'</script>")),
    ("a page that does not escape a reverse DNS name", "no element injected",
     lambda t: t.replace("&lt;b&gt;spoofer&lt;/b&gt;", "<b>spoofer</b>", 1)),
    ("a domain's message count off by one", ": messages",
     lambda t: re.sub(r'(data-metric="messages">)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), t,
                      count=1)),
    ("a chart bar's passing count off by one", "chart bars",
     lambda t: re.sub(r'(class="day"[^>]*data-pass=")(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), t,
                      count=1)),
    ("a source's DKIM count off by one", "SPF/DKIM/DMARC passes",
     lambda t: re.sub(r'(data-col="dkim-pass">)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), t,
                      count=1)),
    ("an inbound domain's rejected count off by one", "inbound",
     lambda t: re.sub(r'(data-col="rejected">)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), t,
                      count=1)),
    ("a sent report's state changed", "the reports we sent",
     lambda t: t.replace('data-state="failed"', 'data-state="sent"', 1)),
]


def selftest(label, dom_path, received_path, evaluated_path, status_path, db_path, signing, doctor_paths,
             days=30):
    import contextlib
    import io
    import tempfile
    c = Checks(label)
    text = open(dom_path, encoding="utf-8").read()
    for what, failing, spoil in MUTATIONS:
        spoiled = spoil(text)
        out = io.StringIO()
        with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8") as f:
            f.write(spoiled)
            f.flush()
            with contextlib.redirect_stdout(out):
                check_page(label, f.name, received_path, evaluated_path, status_path, db_path, signing,
                           doctor_paths, days)
        fails = [line for line in out.getvalue().splitlines() if line.startswith("   FAIL")]
        c.check("the checks catch %s (a FAIL naming %r)" % (what, failing),
                spoiled != text and any(failing in line for line in fails),
                "spoiled: %s; failures: %s" % (spoiled != text, fails[:3]))
    return c.done()


# ---------------------------------------------------------------------------------------------------------------
# the HTTP response of the page

def headers(url):
    c = Checks("served")
    with urllib.request.urlopen(url, timeout=30) as r:
        status, ctype, csp = r.status, r.headers.get("Content-Type", ""), r.headers.get("Content-Security-Policy", "")
        r.read()
    c.equal("GET / answers 200", status, 200)
    c.check("Content-Type is UTF-8 HTML", ctype.lower().replace(" ", "") == "text/html;charset=utf-8", ctype)
    c.check("Content-Security-Policy forbids scripts (default-src 'none', no script-src)",
            "default-src 'none'" in csp and "script-src" not in csp, csp)
    # a site the admin visits could point its own name at 127.0.0.1 (DNS rebinding): only loopback names are served
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "evil.example"}), timeout=30) as r:
            rebound = r.status
    except urllib.error.HTTPError as e:
        rebound = e.code
    c.equal("GET / with Host: evil.example is refused (421, DNS rebinding)", rebound, 421)
    return c.done()


# ---------------------------------------------------------------------------------------------------------------
# the screenshot

def png_rows(path):
    """Width, height and the rows of the image as stored: one filter byte, then the bytes of the row as the filter
    left them (zlib only, no unfiltering: pure Python would take seconds per image)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    stride = 1 + (width * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    return width, height, [raw[y * stride:(y + 1) * stride] for y in range(height)], interlace


def png(label, path):
    c = Checks(label)
    size = os.path.getsize(path) if os.path.exists(path) else 0
    c.check("screenshot %s exists and is more than 20 KB" % path, size > 20_000, "%d bytes" % size)
    if size == 0:
        return c.done()
    width, height, rows, interlace = png_rows(path)
    c.check("screenshot is 1280 x 2000", (width, height) == (1280, 2000), "%d x %d" % (width, height))
    # Blank rows of a page all look alike as stored, whichever filter the encoder chose (Up: all zeros, a repeat of
    # the row above; Sub: the colour, then zeros): the most common row. A blank page has (almost) no other rows; a
    # page of tables and a chart has hundreds, most of them different.
    common = collections.Counter(r[1:] for r in rows).most_common(1)[0][1]
    inked = height - common
    distinct = len(set(r[1:] for r in rows))
    c.check("screenshot shows a page: %d of %d rows carry something, %d distinct (at least 10%% and 100)"
            % (inked, height, distinct), not interlace and inked >= height // 10 and distinct >= 100)
    return c.done()


def main(argv):
    cmd = argv[1]
    if cmd == "free-ports":
        print("\n".join(map(str, free_ports(int(argv[2])))))
        return 0
    if cmd == "shift":
        shift(argv[2], argv[3])
        return 0
    if cmd == "services":
        services(int(argv[2]), int(argv[3]), argv[4])
        return 0
    if cmd == "inbound":
        return inbound(argv[2], int(argv[3]))
    if cmd == "wait-evaluated":
        return wait_evaluated(argv[2], argv[3], int(argv[4]))
    if cmd == "headers":
        return headers(argv[2])
    if cmd in ("check", "selftest"):
        days = [int(a.split("=", 1)[1]) for a in argv[9:] if a.startswith("--days=")]
        rest = [a for a in argv[9:] if not a.startswith("--days=")]
        run = check_page if cmd == "check" else selftest
        return run(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8].split(","), rest, *days)
    if cmd == "png":
        return png(argv[2], argv[3])
    raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
