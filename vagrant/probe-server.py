#!/usr/bin/env python3
"""vagrant/probe-server.py PORT KEY RECORD — the host half of expect_login/expect_no_login.

Listens on UDP PORT (all addresses of the host's network namespace). A guest running
guest-run.sh sends:
  HELLO NAME                              -> "OK"
  LOGIN NAME N yes|no -4|-6 USER PORT [LL] -> a real ssh login from here to the address the
                                             datagram came from (-6: to the guest's link-local
                                             address LL on the interface toward it);
                                             "PASS ..."/"FAIL ..."
  DONE NAME RESULT                        -> "OK", then exit 0
Every probe is appended to RECORD as one JSON object per line; that record, not what the
guest heard, decides the case. A repeated N (the guest resends) gets the first answer.
Exits 3 after --timeout seconds without DONE.
"""
import json, socket, subprocess, sys, time, argparse

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("key")
ap.add_argument("record")
ap.add_argument("--timeout", type=float, default=1800)
ap.add_argument("--ready", help="file to create once listening")
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", a.port))
if a.ready:
    open(a.ready, "w").close()
answers = {}
deadline = time.monotonic() + a.timeout

def record(obj):
    with open(a.record, "a") as f:
        f.write(json.dumps(obj) + "\n")

def v6_target(addr, ll):
    """The guest's IPv6 link-local address, scoped to the host's interface toward it."""
    if ll in ("", "-"):
        return None
    r = subprocess.run(["ip", "-4", "route", "get", addr], capture_output=True, text=True)
    w = r.stdout.split()
    if "dev" not in w:
        return None
    return f"{ll}%{w[w.index('dev') + 1]}"

def login(addr, fam, user, port, ll="-"):
    if fam == "-6":
        t = v6_target(addr, ll)
        if t is None:
            return 255, "no IPv6 path from the host to the guest (no link-local address)"
        addr = t
    cmd = ["timeout", "30", "ssh", fam, "-F", "/dev/null", "-n", "-i", a.key,
           "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
           "-o", "ConnectTimeout=8", "-o", "LogLevel=ERROR", "-p", port, f"{user}@{addr}", "true"]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr.replace("\r", "").strip()

while True:
    left = deadline - time.monotonic()
    if left <= 0:
        record({"event": "timeout"})
        sys.exit(3)
    s.settimeout(left)
    try:
        data, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    words = data.decode(errors="replace").split()
    if not words:
        continue
    if words[0] == "HELLO":
        record({"event": "hello", "guest": peer[0], "t": time.time()})
        s.sendto(b"OK", peer)
    elif words[0] == "LOGIN" and len(words) in (7, 8):
        _, name, n, want, fam, user, port = words[:7]
        ll = words[7] if len(words) == 8 else "-"
        if n not in answers:
            t0 = time.monotonic()
            rc, err = login(peer[0], fam, user, port, ll)
            what = f"login {user}@{peer[0] if fam == '-4' else '[' + ll + ']'} port {port} ({fam})"
            if want == "yes":
                ok = rc == 0
                msg = f"{what} works" if ok else f"{what} should work but ssh exited {rc}: {err or '(no message)'}"
            else:
                ok = rc == 255
                msg = (f"{what} fails as expected: {err or '(no message)'}" if ok else
                       f"{what} should fail but it works" if rc == 0 else
                       f"{what} should fail with an ssh error (255) but ssh exited {rc}: {err}")
            answers[n] = ("PASS: " if ok else "FAIL: ") + msg
            record({"event": "probe", "n": int(n), "want": want, "family": fam, "user": user,
                    "port": int(port), "guest": peer[0], "ssh_exit": rc, "ok": ok,
                    "message": answers[n], "seconds": round(time.monotonic() - t0, 1)})
            print(f"  [host] probe {n}: {answers[n]}", flush=True)
        s.sendto(answers[n].encode(), peer)
    elif words[0] == "DONE":
        record({"event": "done", "result": words[2] if len(words) > 2 else "?"})
        s.sendto(b"OK", peer)
        # answer resent DONEs for a moment, then leave
        s.settimeout(3)
        try:
            while True:
                _, p2 = s.recvfrom(4096)
                s.sendto(b"OK", p2)
        except socket.timeout:
            pass
        sys.exit(0)
