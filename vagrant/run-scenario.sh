#!/bin/bash
# vagrant/run-scenario.sh MACHINE SCENARIO_FILE — the host half of one scenario on one
# running Vagrant machine (run-matrix.sh calls it; it also works by hand after `vagrant up`).
#
#   1. over SSH (working now): copy guest-run.sh, udp.py and the scenario into the guest
#   2. start the probe server (probe-server.py) on UDP SSHREPAIR_VAGRANT_PROBE_PORT
#   3. over SSH: `systemd-run` guest-run.sh — detached: it breaks SSH, asks this host for
#      every expect_login/expect_no_login (real logins from here to the guest's address),
#      runs sshrepair, check_after, restores the saved state, writes report.json, says DONE
#   4. `vagrant ssh MACHINE -c true`: Vagrant's own connection must work again
#   5. collect the guest's report into results/MACHINE/NAME.json (+ .log, .probes.jsonl)
# Exit 0 pass, 1 fail, 77 skip; the last line is "VG-RESULT: MACHINE NAME RESULT SECONDS".
#
# Environment: SSHREPAIR_VAGRANT_PROBE_HOST (the host's address as the guest sees it;
# default: the guest's default gateway, right for libvirt; VirtualBox: 192.168.56.1),
# SSHREPAIR_VAGRANT_PROBE_PORT (47022), SSHREPAIR_VAGRANT_CASE_TIMEOUT (1800 s),
# SSHREPAIR_VAGRANT_RESULTS (results/).
set -euo pipefail
exec 2>&1
(($# == 2)) || { echo "usage: $0 MACHINE SCENARIO_FILE" >&2; exit 2; }
MACHINE=$1
SCENARIO=$(realpath "$2")
NAME=$(basename "$SCENARIO" .sh)
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
export VAGRANT_CWD=$HERE
RESULTS=${SSHREPAIR_VAGRANT_RESULTS:-$HERE/results}
OUT=$RESULTS/$MACHINE
PORT=${SSHREPAIR_VAGRANT_PROBE_PORT:-47022}
KEY=$HERE/.keys/id_ed25519
T0=$SECONDS
mkdir -p "$OUT"
rm -f "$OUT/$NAME".{json,log,probes.jsonl,host.log}
HOSTLOG=$OUT/$NAME.host.log

say() { printf '[vg %4ds] %s\n' "$((SECONDS - T0))" "$*" | tee -a "$HOSTLOG"; }
finish() { # RESULT REASON
	local result=$1 reason=$2
	python3 - "$OUT" "$NAME" "$MACHINE" "$result" "$reason" "$((SECONDS - T0))" <<'PY'
import json, os, sys
out, name, machine, result, reason, secs = sys.argv[1:]
def load(p):
    try:
        with open(os.path.join(out, p)) as f:
            return f.read()
    except OSError:
        return None
guest = load(name + ".guest.json")
probes = [json.loads(l) for l in (load(name + ".probes.jsonl") or "").splitlines() if l.strip()]
doc = {"machine": machine, "scenario": name, "result": result, "reason": reason or None,
       "seconds": int(secs), "host_probes": [p for p in probes if p.get("event") == "probe"],
       "guest_report": json.loads(guest) if guest else None}
with open(os.path.join(out, name + ".json"), "w") as f:
    json.dump(doc, f, indent=1)
PY
	rm -f "$OUT/$NAME.guest.json"
	say "result: $result${reason:+ ($reason)}"
	echo "VG-RESULT: $MACHINE $NAME $result $((SECONDS - T0))"
	case $result in pass) exit 0 ;; skip) exit 77 ;; *) exit 1 ;; esac
}

[[ -f $SCENARIO ]] || { echo "no scenario $SCENARIO" >&2; exit 2; }
[[ -f $KEY ]] || finish fail "no probe key $KEY (run any vagrant command in $HERE once)"
CFG=$RESULTS/.ssh-config-$MACHINE
if [[ ! -s $CFG ]]; then
	vagrant ssh-config "$MACHINE" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG" || finish fail "vagrant ssh-config $MACHINE failed"
fi
gssh() { ssh -F "$CFG" -o ConnectTimeout=15 -o ServerAliveInterval=10 "$MACHINE" "$@"; }

# ---- 1. copy the files in (SSH works at this point, or the previous case broke it)
stage=$(mktemp -d)
trap 'rm -rf "$stage"; [[ -n ${SRV:-} ]] && kill "$SRV" 2>/dev/null || true' EXIT
mkdir -p "$stage/$NAME"
cp "$HERE/guest-run.sh" "$HERE/udp.py" "$stage/"
cp "$SCENARIO" "$stage/$NAME/scenario.sh"
if ! tar -C "$stage" -cf - . | gssh "sudo rm -rf /var/lib/sshrepair-vagrant/$NAME && sudo install -d -m 0700 /var/lib/sshrepair-vagrant && sudo tar -C /var/lib/sshrepair-vagrant --no-same-owner -xf -"; then
	finish fail "cannot reach $MACHINE over SSH before the case (an earlier case left it broken?)"
fi
PHOST=${SSHREPAIR_VAGRANT_PROBE_HOST:-$(gssh "ip -4 route show default" | awk '{print $3; exit}')}
[[ -n $PHOST ]] || finish fail "cannot tell the host's address as the guest sees it (set SSHREPAIR_VAGRANT_PROBE_HOST)"

# ---- 2. the probe server
ready=$stage/ready
python3 "$HERE/probe-server.py" "$PORT" "$KEY" "$OUT/$NAME.probes.jsonl" --ready "$ready" \
	--timeout "${SSHREPAIR_VAGRANT_CASE_TIMEOUT:-1800}" | tee -a "$HOSTLOG" &
SRV=$!
for _ in $(seq 50); do [[ -e $ready ]] && break; sleep 0.1; done
[[ -e $ready ]] || finish fail "the probe server did not start (UDP port $PORT in use?)"

# ---- 3. the detached guest half
say "$MACHINE: starting the detached guest run of $NAME (probe server $PHOST:$PORT)"
if ! gssh "sudo systemd-run --quiet --collect --unit=srvg-$NAME /bin/bash /var/lib/sshrepair-vagrant/guest-run.sh $NAME $PHOST $PORT"; then
	finish fail "systemd-run in the guest failed"
fi
srv_rc=0
wait "$SRV" || srv_rc=$?
SRV=""
((srv_rc == 0)) || say "the probe server ended with $srv_rc (no DONE from the guest in time)"

# ---- 4. Vagrant's own SSH must work again
say "vagrant ssh $MACHINE -c true"
reconnect=fail
for i in 1 2 3; do
	if timeout 180 vagrant ssh "$MACHINE" -c true </dev/null >>"$HOSTLOG" 2>&1; then reconnect=ok && break; fi
	say "vagrant ssh failed (try $i)"
	sleep 10
done
say "vagrant ssh: $reconnect"

# ---- 5. collect
if [[ $reconnect == ok ]]; then
	gssh "sudo cat /var/lib/sshrepair-vagrant/$NAME/log" >"$OUT/$NAME.log" 2>/dev/null || true
	gssh "sudo cat /var/lib/sshrepair-vagrant/$NAME/report.json" >"$OUT/$NAME.guest.json" 2>/dev/null || rm -f "$OUT/$NAME.guest.json"
fi
sed 's/^/  | /' "$OUT/$NAME.log" 2>/dev/null || true
[[ $reconnect == ok ]] || finish fail "vagrant ssh $MACHINE -c true does not work after the case"
((srv_rc == 0)) || finish fail "the guest half did not finish (no DONE within the time limit)"
[[ -s $OUT/$NAME.guest.json ]] || finish fail "no report.json from the guest"
verdict=$(python3 - "$OUT/$NAME.guest.json" "$OUT/$NAME.probes.jsonl" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
probes = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = [p["message"] for p in probes if p.get("event") == "probe" and not p["ok"]]
if g["guest_result"] == "skip":
    print("skip", g.get("reason") or "")
elif bad:
    print("fail", "host probe: " + bad[0])
elif g["guest_result"] != "pass":
    print("fail", g.get("reason") or "guest side failed")
else:
    print("pass", "")
PY
)
finish "${verdict%% *}" "$(printf '%s' "${verdict#* }" | sed 's/^ *//')"
