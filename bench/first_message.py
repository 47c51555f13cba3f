#!/usr/bin/env python3
"""One milter transaction over a real socket, as Postfix 3.x speaks it (protocol 6, actions 0x1FF, every step
offered, the no-reply flags honoured), timed: the first message after a start (README "Performance", "Start-up").
Python 3 standard library only, so that the client itself has no warm-up.

  bench/first_message.py HOST PORT sign|verify MESSAGE.eml [SIGNED.eml]

sign plays an authenticated submission from 127.0.0.1, verify mail from 203.0.113.5. Prints total_ms (connect
to final reply), mailfrom_to_reply_ms, eom_ms (end of message to final reply), the final reply and the edits;
with SIGNED.eml it writes the message with the inserted fields on top (a signed message for verify)."""
import socket, struct, sys, time

host, port, mode, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
raw = open(path, 'rb').read().replace(b'\r\n', b'\n')
head, _, body = raw.partition(b'\n\n')
headers = []
for line in head.split(b'\n'):
    if line[:1] in (b' ', b'\t') and headers:
        headers[-1][1] += b'\n' + line
    else:
        n, _, v = line.partition(b':')
        headers.append([n, v])
body = body.replace(b'\n', b'\r\n')

s = socket.create_connection((host, port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b''
def send(cmd, payload=b''):
    s.sendall(struct.pack('>I', len(payload) + 1) + cmd + payload)
def recv():
    global buf
    while len(buf) < 4 or len(buf) < 4 + struct.unpack('>I', buf[:4])[0]:
        d = s.recv(65536)
        if not d: raise SystemExit('closed')
        buf += d
    n = struct.unpack('>I', buf[:4])[0]
    pkt = buf[4:4 + n]; buf = buf[4 + n:]
    return pkt[:1], pkt[1:]
z = b'\0'
t0 = time.perf_counter()
send(b'O', struct.pack('>III', 6, 0x1FF, 0x1FFFFF))
c, p = recv()
ver, act, steps = struct.unpack('>III', p[:12])
NR = {b'C': 0x1000, b'H': 0x2000, b'M': 0x4000, b'R': 0x8000, b'T': 0x10000, b'L': 0x80, b'N': 0x40000, b'B': 0x80000}
def step(cmd, payload=b'', macros=None):
    if macros is not None:
        send(b'D', cmd + b''.join(k + z + v + z for k, v in macros))
    send(cmd, payload)
    nr = NR.get(cmd)
    if nr is not None and steps & nr:
        return None
    return recv()
if mode == 'sign':
    ip, helo, auth = b'127.0.0.1', b'client.example.com', [(b'{auth_authen}', b'alice')]
else:
    ip, helo, auth = b'203.0.113.5', b'mail.example.com', []
step(b'C', b'client.example' + z + b'4' + struct.pack('>H', 25000) + ip + z, [(b'j', b'mx.test'), (b'{client_addr}', ip)])
step(b'H', helo + z)
tm = time.perf_counter()
step(b'M', b'<alice@example.com>' + z, [(b'i', b'QID1')] + auth)
step(b'R', b'<bob@example.org>' + z)
step(b'T', b'', [(b'i', b'QID1')])
for n, v in headers:
    step(b'L', n + z + v + z)
step(b'N')
for i in range(0, len(body), 65535):
    step(b'B', body[i:i + 65535])
te = time.perf_counter()
send(b'E')
edits = []
while True:
    c, p = recv()
    if c in (b'c', b'a', b'r', b't', b'y', b'd'):
        break
    edits.append((c, p))
tend = time.perf_counter()
send(b'Q')
s.close()
print('total_ms %.2f mailfrom_to_reply_ms %.2f eom_ms %.2f final %s edits %d' % ((tend - t0) * 1000, (tend - tm) * 1000, (tend - te) * 1000, c.decode(), len(edits)))
for c, p in edits:
    print(' ', c.decode(), p[:200])
if len(sys.argv) > 5:
    out = b''
    for c, p in edits:
        if c == b'i':
            parts = p[4:].split(z)
            out += parts[0] + (b':' if parts[1][:1] == b' ' else b': ') + parts[1].replace(b'\n', b'\r\n') + b'\r\n'
    open(sys.argv[5], 'wb').write(out + raw.replace(b'\n', b'\r\n'))
