#!/usr/bin/env python3
"""vagrant/udp.py — the small UDP channel between a guest and the host's probe server.

guest:  udp.py ask HOST PORT MESSAGE TIMEOUT   send MESSAGE (resent every 2 s), print the
                                               first answer; exit 1 if none within TIMEOUT
host:   probe-server.py (imports nothing from here)
"""
import socket, sys, time

def ask(host, port, msg, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s.sendto(msg.encode(), (host, port))
        s.settimeout(max(0.1, min(2.0, deadline - time.monotonic())))
        try:
            data, _ = s.recvfrom(4096)
            print(data.decode(errors="replace"))
            return 0
        except socket.timeout:
            continue
    return 1

if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "ask":
        sys.exit(ask(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])))
    sys.stderr.write(__doc__)
    sys.exit(2)
