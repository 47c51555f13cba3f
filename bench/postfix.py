#!/usr/bin/env python3
"""Helpers of bench/postfix.sh (the through-Postfix part of bench/compare.sh); standard library only.

  postfix.py message SIZE FILE               a plain message of SIZE bytes on the wire (CRLF), written with LF
  postfix.py wait DUMP OFFSET COUNT TIMEOUT  wait until smtp-sink's dump file has COUNT more messages after
                                             OFFSET; prints "END_TIME NEW_OFFSET DELIVERED"
  postfix.py edits DUMP FROM TO              what the milters did to the messages in that slice of the dump
  postfix.py latency PCAP PORT               per-message latency from a tcpdump capture of the SMTP port
  postfix.py table TSV MD                    the summary table (stdout and MD)
"""
import re
import statistics
import struct
import sys
import time

FILLER = b"The quick brown fox jumps over the lazy dog while the milter hashes every byte of this line."


def message(size, path):
    """The same shape as `postseal bench`'s generated messages (BenchMessage.generate)."""
    headers = [b"From: Bench Sender <bench@example.com>", b"To: Recipient <rcpt@bench.test>",
               b"Subject: postseal bench through Postfix", b"Date: Sat, 28 Nov 2026 10:00:00 +0000",
               b"Message-ID: <bench-postfix@example.com>", b"MIME-Version: 1.0",
               b"Content-Type: text/plain; charset=us-ascii"]
    head = sum(len(h) + 2 for h in headers) + 2
    body = b""
    while len(body) < size - head:   # whole lines (CRLF on the wire), cut to size
        body += FILLER + b"\r\n"
    body = body[:max(2, size - head - 2)] + b"\r\n"
    wire = b"\r\n".join(headers) + b"\r\n\r\n" + body
    # smtp-source -F appends CRLF to every line it reads: the file has LF line ends
    open(path, "wb").write(wire.replace(b"\r\n", b"\n"))


def count_messages(chunk):
    return len(re.findall(rb"(?m)^X-Client-Addr: ", chunk))


def wait(dump, offset, count, timeout):
    """Reads the dump as it grows (smtp-sink appends one transaction after another)."""
    deadline = time.time() + timeout
    seen, pos, tail = 0, offset, b""
    with open(dump, "rb") as f:
        while True:
            f.seek(pos)
            data = f.read()
            if data:
                pos += len(data)
                cut = data.rfind(b"\n")
                chunk, tail = (tail + data[:cut + 1], data[cut + 1:]) if cut >= 0 else (b"", tail + data)
                seen += count_messages(chunk)
                if tail:   # keep the partial line for the next read: re-read it from pos
                    pos -= len(tail)
                    tail = b""
            if seen >= count:
                break
            if time.time() > deadline:
                break
            time.sleep(0.02)
    print(f"{time.time():.6f} {pos} {seen}")


def split_dump(chunk):
    starts = [m.start() for m in re.finditer(rb"(?m)^X-Client-Addr: ", chunk)]
    return [chunk[a:b] for a, b in zip(starts, starts[1:] + [len(chunk)])]


def edits(dump, start, end):
    """Counts, over the messages the sink got, the header fields the milters add and the method results
    in Authentication-Results, so that a milter that did nothing cannot look fast."""
    with open(dump, "rb") as f:
        f.seek(start)
        chunk = f.read(end - start)
    msgs = split_dump(chunk)
    counts = {"messages": len(msgs), "dkim_signature": 0, "x_bench_floor": 0, "a_r": 0,
              "dkim_pass": 0, "spf_pass": 0, "dmarc_pass": 0}
    results = {}
    for m in msgs:
        text = m.decode("latin-1").replace("\r\n", "\n")
        # smtp-sink's own records, then its Received: (3 lines), then the message header up to the blank line
        head = text.split("\n\n", 1)[0]
        fields = re.findall(r"(?m)^([A-Za-z0-9-]+):(.*(?:\n[ \t].*)*)", head)
        names = [n.lower() for n, _ in fields]
        counts["dkim_signature"] += names.count("dkim-signature") > 0
        counts["x_bench_floor"] += names.count("x-bench-floor") > 0
        ar = " ".join(re.sub(r"\s+", " ", v) for n, v in fields if n.lower() == "authentication-results")
        counts["a_r"] += bool(ar)
        for method in ("dkim", "spf", "dmarc"):
            found = re.findall(rf"(?:^|[;\s]){method}=(\w+)", ar)
            for r in found:
                results[f"{method}={r}"] = results.get(f"{method}={r}", 0) + 1
            counts[f"{method}_pass"] += "pass" in found
    print(" ".join(f"{k}={v}" for k, v in counts.items()) + " results="
          + (",".join(f"{k}:{v}" for k, v in sorted(results.items())) or "-"))


def packets(path):
    """(time, src_port, dst_port, flags, payload-start) of every TCP packet in a pcap file (Ethernet or
    Linux cooked capture; IPv4 and IPv6)."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian, nano = {0xa1b2c3d4: ("<", False), 0xa1b23c4d: ("<", True)}.get(magic, (">", False))
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        t = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:
            ethertype, off = struct.unpack("!H", pkt[12:14])[0], 14
        elif linktype == 113:
            ethertype, off = struct.unpack("!H", pkt[14:16])[0], 16
        elif linktype == 276:
            ethertype, off = struct.unpack("!H", pkt[0:2])[0], 20
        else:
            raise SystemExit(f"postfix.py: pcap link type {linktype} not understood")
        if ethertype == 0x0800:
            ihl = (pkt[off] & 0x0F) * 4
            if pkt[off + 9] != 6:
                continue
            total = struct.unpack("!H", pkt[off + 2:off + 4])[0]
            tcp, end = off + ihl, off + total
        elif ethertype == 0x86DD:
            if pkt[off + 6] != 6:
                continue
            tcp, end = off + 40, off + 40 + struct.unpack("!H", pkt[off + 4:off + 6])[0]
        else:
            continue
        sport, dport = struct.unpack("!HH", pkt[tcp:tcp + 4])
        doff = (pkt[tcp + 12] >> 4) * 4
        flags = pkt[tcp + 13]
        payload_len = end - (tcp + doff)
        yield t, sport, dport, flags, pkt[tcp + doff:tcp + doff + 4] if payload_len > 0 else b""


def latency(path, port):
    """Per message: from the client's SYN to the server's 250 after the end of DATA (the whole SMTP
    transaction, milter connect and every milter step included), and from the client's last DATA
    segment to that 250 (Postfix's cleanup, the milters' header/body/eom and the queue file)."""
    conns = {}
    txn, eod = [], []
    for t, sport, dport, flags, head in packets(path):
        if dport == port:                   # client -> server
            c = conns.setdefault(sport, {"syn": None, "data": False, "last": None})
            if flags & 0x02:
                c["syn"] = t
            elif head and c["data"]:
                c["last"] = t
        elif sport == port:                 # server -> client
            c = conns.get(dport)
            if c is None or not head:
                continue
            if head.startswith(b"354"):
                c["data"] = True
            elif c["data"] and head[:1] in (b"2", b"4", b"5"):
                if head.startswith(b"250") and c["syn"] is not None and c["last"] is not None:
                    txn.append(t - c["syn"])
                    eod.append(t - c["last"])
                c["data"] = False
                c["syn"] = None             # one message per connection (smtp-source without -d)
    def pct(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000 if xs else -1
    print(f"latency_n={len(txn)} p50_ms={pct(txn, .5):.2f} p99_ms={pct(txn, .99):.2f} "
          f"eod_p50_ms={pct(eod, .5):.2f} eod_p99_ms={pct(eod, .99):.2f}")


def table(tsv, md):
    import csv
    rows = list(csv.DictReader(open(tsv), delimiter="\t"))
    order = []
    cells = {}
    for r in rows:
        if r["config"] not in cells:
            order.append(r["config"])
        cells.setdefault(r["config"], []).append(r)

    def med(rs, key):
        vals = [float(r[key]) for r in rs if float(r[key]) >= 0]
        return statistics.median(vals) if vals else float("nan")

    rate = {c: med(rs, "rate") for c, rs in cells.items()}
    p50 = {c: med(rs, "p50_ms") for c, rs in cells.items()}
    peer = {"postseal-sign": "opendkim-sign", "postseal-verify": "opendkim+opendmarc"}

    def baseline(c):
        """Postfix without milter for the same client: the verify cases connect over IPv6."""
        return "none-v6" if cells[c][0]["client"].startswith("[") and "none-v6" in p50 else "none"
    lines = ["| configuration | client | msg/s (median) | spread min-max | p50 ms | p99 ms | added p50 ms vs none(-v6) "
             "| end-of-data p50 ms | milter CPU ms/msg | x floor | x floor-reply | x OpenDKIM(+OpenDMARC) | errors | valid rounds |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in order:
        rs = cells[c]
        rates = [float(r["rate"]) for r in rs]
        added = p50[c] - p50[baseline(c)] if baseline(c) in p50 and not c.startswith("none") else float("nan")
        x_floor = rate[c] / rate["floor"] if rate.get("floor") and not c.startswith(("none", "floor")) else float("nan")
        x_floor_reply = (rate[c] / rate["floor-reply"] if rate.get("floor-reply") and not c.startswith(("none", "floor"))
                         else float("nan"))
        x_peer = rate[c] / rate[peer[c]] if c in peer and rate.get(peer[c]) else float("nan")
        cpu = med(rs, "cpu_ms_per_msg") if not c.startswith("none") else float("nan")
        valid = sum(r["valid"] == "yes" for r in rs)
        errors = sum(int(r["errors"]) for r in rs)
        f = lambda v, d=2: "" if v != v else f"{v:.{d}f}"
        lines.append(f"| {c} | {rs[0]['client']} | {rate[c]:.0f} | {min(rates):.0f}-{max(rates):.0f} | {f(p50[c])} | "
                     f"{f(med(rs, 'p99_ms'))} | {f(added)} | {f(med(rs, 'eod_p50_ms'))} | {f(cpu)} | {f(x_floor)} | {f(x_floor_reply)} | "
                     f"{f(x_peer)} | {errors} | {valid}/{len(rs)} |")
    targets = []
    floors = [f for f in ("floor", "floor-reply") if rate.get(f)]
    best = max(floors, key=lambda f: rate[f]) if floors else None   # the faster floor: the stricter target
    for c in ("postseal-sign", "postseal-verify"):
        if c in cells and best and baseline(c) in p50:
            ratio = rate[c] / rate[best]
            added = p50[c] - p50[baseline(c)]
            cpu = med(cells[c], "cpu_ms_per_msg")
            ok = ratio >= 0.9 and added <= 5 and cpu <= 2 and all(r["valid"] == "yes" for r in cells[c])
            targets.append(f"- {c}: {ratio:.2f} x {best} (the faster floor; target >= 0.90), added p50 {added:.2f} ms (<= 5), "
                           f"CPU {cpu:.2f} ms/msg (<= 2), valid rounds {sum(r['valid'] == 'yes' for r in cells[c])}"
                           f"/{len(cells[c])}: {'met' if ok else 'NOT met'}")
    text = "\n".join(lines) + "\n" + ("\nIssue 6 targets through Postfix:\n" + "\n".join(targets) + "\n" if targets else "")
    open(md, "w").write(text)
    print(text)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "message":
        message(int(args[0]), args[1])
    elif cmd == "wait":
        wait(args[0], int(args[1]), int(args[2]), float(args[3]))
    elif cmd == "edits":
        edits(args[0], int(args[1]), int(args[2]))
    elif cmd == "latency":
        latency(args[0], int(args[1]))
    elif cmd == "table":
        table(args[0], args[1])
    else:
        raise SystemExit(f"postfix.py: unknown command {cmd}")
