#!/usr/bin/env python3
"""Bridge relay cost: a socket service floods a bridged room whose members are TCP readers, then a TCP user floods
the room back to the service. Reports frames per second and the gateway's CPU per delivery (from /proc), which is
what to compare: on 2 cores this script is the bottleneck, not the gateway.

Start the gateway with the budget off, e.g.
  Gateway__Limits__MessageRate=0 Gateway__Storage__Provider=memory dotnet src/SocketGateway/bin/Release/net10.0/SocketGateway.dll
Usage: bench/bridge-relay.py PID HTTP_PORT TCP_PORT [FRAMES] [READERS]
"""
import json, os, socket, sys, threading, time, urllib.request

pid, http_port, tcp_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
frames = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
readers = int(sys.argv[5]) if len(sys.argv) > 5 else 20
room = f"bench{os.getpid()}"
tick = os.sysconf("SC_CLK_TCK")

def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick

def read_until(sock, marker, data=b""):
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed")
        data += chunk
    return data

def member(nick):
    s = socket.create_connection(("127.0.0.1", tcp_port))
    s.sendall(f"/nick {nick}\n/join {room}\n".encode())
    read_until(s, f"-> {nick} joined".encode())
    return s

def count_lines(sock, marker, want, done):
    seen, tail = 0, b""
    while seen < want:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        data = tail + chunk
        seen += data.count(marker)
        tail = data[-len(marker):]
    done.append(seen)

service = socket.socket()
service.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
service.bind(("127.0.0.1", 0))
service.listen()
members = [member(f"r{i}") for i in range(readers)]
body = json.dumps({"room": room, "host": "127.0.0.1", "port": service.getsockname()[1], "framing": "lf", "nick": f"svc{os.getpid() % 10000}"}).encode()
request = urllib.request.Request(f"http://127.0.0.1:{http_port}/api/bridges", body, {"Content-Type": "application/json"})
bridge = json.load(urllib.request.urlopen(request))
link, _ = service.accept()
for m in members:
    read_until(m, b"joined (bridge)")

# Service → room: every reader gets every frame.
done = []
threads = [threading.Thread(target=count_lines, args=(m, b": frame ", frames, done)) for m in members]
for t in threads:
    t.start()
payload = b"".join(b"frame %d from the service\n" % i for i in range(frames))
cpu, started = cpu_seconds(), time.time()
link.sendall(payload)
for t in threads:
    t.join()
elapsed, used = time.time() - started, cpu_seconds() - cpu
deliveries = sum(done)
print(f"service -> room: {frames} frames to {readers} readers in {elapsed:.2f} s: {frames / elapsed:,.0f} frames/s in, "
      f"{deliveries / elapsed:,.0f} deliveries/s, gateway {used:.2f} s CPU = {used / deliveries * 1e6:.2f} us per delivery "
      f"({'all' if deliveries == frames * readers else deliveries} delivered)")

# Room → service: one member's lines, written to the service in its framing.
got, echoed = [], []
threads = [threading.Thread(target=count_lines, args=(link, b"line ", frames, got))]
threads += [threading.Thread(target=count_lines, args=(m, b": line ", frames, echoed)) for m in members]
for t in threads:
    t.start()
cpu, started = cpu_seconds(), time.time()
members[0].sendall(b"".join(b"line %d to the service\n" % i for i in range(frames)))
for t in threads:
    t.join()
elapsed, used = time.time() - started, cpu_seconds() - cpu
deliveries = got[0] + sum(echoed)
print(f"room -> service: {got[0]} of {frames} lines in {elapsed:.2f} s: {got[0] / elapsed:,.0f} frames/s to the service, "
      f"gateway {used:.2f} s CPU = {used / deliveries * 1e6:.2f} us per delivery (each line reaches the service and {readers} members)")
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{http_port}/api/bridges/{bridge['id']}", method="DELETE"))
