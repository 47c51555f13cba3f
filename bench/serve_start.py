#!/usr/bin/env python3
"""Starts `postseal serve`, times its "milter listening" log line (bound) and its "postseal: listening on" line
(ready, as READY=1), optionally sends one first message over the real socket (bench/first_message.py), stops it
with SIGTERM. README "Performance", "Start-up".

  bench/serve_start.py LAUNCHER CONFIG PORT [sign|verify MESSAGE.eml [SIGNED.eml]]

Prints bind_ms, ready_ms, first_message.py's line and the warm-up's summary."""
import os, signal, subprocess, sys, time
launcher, config, port = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
p = subprocess.Popen([launcher, 'serve', '--config', config], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
bind = ready = None
warm = ''
for line in p.stdout:
    line = line.decode(errors='replace')
    now = (time.perf_counter() - t0) * 1000
    if 'milter listening on' in line and bind is None:
        bind = now
    if 'warm-up:' in line:
        warm = line.split('warm-up:')[1].strip()
    if line.startswith('postseal: listening on'):
        ready = now
        break
first = ''
if ready is None:
    p.kill()
    raise SystemExit('serve did not become ready: ' + str(p.wait()))
if len(sys.argv) > 5:
    first = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'first_message.py'), '127.0.0.1', port,
                            *sys.argv[4:]], capture_output=True, text=True, timeout=60).stdout.strip()
    first = first.splitlines()[0] if first else 'FAILED'
p.send_signal(signal.SIGTERM)
p.communicate(timeout=30)
print('bind_ms %.0f ready_ms %.0f %s | %s' % (bind or -1, ready or -1, first, warm))
