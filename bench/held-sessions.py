#!/usr/bin/env python3
"""Memory of held sessions: N line users ask for a resume token (/session) and drop; the gateway holds each one.

Usage: bench/held-sessions.py PID TCP_PORT HTTP_PORT [N]
Prints the gateway's resident memory before, and after N sessions are held (their sockets all closed).
"""
import re, socket, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

pid, tcp_port, http_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 10000

def rss_mib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def heap_mib():
    text = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics").read().decode()
    held = re.search(r'^socketgateway_connections\{[^}]*\} ([0-9.e+]+)', text, re.M)
    return float(held.group(1)) if held else float("nan")

def read_until(sock, marker):
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed")
        data += chunk
    return data

print(f"before: rss {rss_mib():.1f} MiB, open connections (gauge) {heap_mib():.0f}")
started = time.time()
def hold(_):
    s = socket.create_connection(("127.0.0.1", tcp_port))
    # The welcome waits out the probe window (200 ms) for a client that sends nothing: many in parallel.
    read_until(s, b"type /help")
    s.sendall(b"/session\n")
    read_until(s, b"resume token: ")
    s.close()

with ThreadPoolExecutor(max_workers=64) as pool:
    list(pool.map(hold, range(count)))
print(f"{count} sessions held in {time.time() - started:.1f} s")
time.sleep(2)
print(f"after:  rss {rss_mib():.1f} MiB, open connections (gauge) {heap_mib():.0f}")
