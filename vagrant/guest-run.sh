#!/bin/bash
# vagrant/guest-run.sh NAME PROBE_HOST PROBE_PORT — the guest half of one scenario.
#
# Runs as root inside the guest, detached from any SSH session (run-scenario.sh starts it
# with systemd-run), so that breaking SSH does not stop it. Expects
# /var/lib/sshrepair-vagrant/NAME/scenario.sh and /var/lib/sshrepair-vagrant/udp.py.
#
# Phases, all here in the guest, in the order of tests/integration/run-case.sh:
#   save state -> break_host -> check_before -> sshrepair $ARGS -> check_after -> restore
# The helpers are those of the scenario API (tests/integration/README.md):
#   g, expect_output, fingerprint, expect_fingerprint, fail: run here, in the guest.
#   expect_login / expect_no_login: a REAL login from outside, made by the host. The guest
#     asks the host's probe server over UDP ("LOGIN ..."; UDP from the guest is outbound,
#     so the scenario's INPUT rules do not stop it), the host logs in to the guest's
#     address with the test key and answers PASS/FAIL. If the answer cannot come back (a
#     firewall that drops everything also drops it), the guest waits PROBE_WAIT seconds,
#     long enough for the host's probe to have finished, and goes on; the host's own
#     record of the probe is what counts.
#   reboot_guest: not supported (this process would not survive it): such scenarios skip.
# Then the state saved before break_host is restored (so that Vagrant can log in again and
# the next scenario starts clean), report.json is written and the host gets "DONE".
set -uo pipefail
NAME=$1 PHOST=$2 PPORT=$3
BASE=/var/lib/sshrepair-vagrant
D=$BASE/$NAME
SCENARIO=$D/scenario.sh
PROBE_WAIT=${PROBE_WAIT:-40}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec >"$D/log" 2>&1 </dev/null
T0=$SECONDS
echo "guest-run $NAME on $(hostname) at $(date -u '+%F %T') UTC; probe server $PHOST:$PPORT"

udp() { python3 "$BASE/udp.py" "$@"; }
section() { printf '\n======== %s: %s\n' "$NAME" "$*"; }

# ------------------------------------------------------------------ scenario API (guest side)
GUEST_PATH=$PATH
g() {
	printf '  [guest] $ %s\n' "$1"
	local rc=0
	env -i PATH="$GUEST_PATH" HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb /bin/sh -c "$@" || rc=$?
	((rc == 0)) || printf '  [guest] (exit %d)\n' "$rc"
	return "$rc"
}
PROBE_N=0
# IPv6 logins (expect_login -6) go to this guest's link-local address on the interface
# toward the host (the management network has no other IPv6): "-" when there is none.
GUEST_DEV=$(ip -4 route get "$PHOST" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
GUEST_LL=$(ip -6 -o addr show dev "${GUEST_DEV:-lo}" scope link 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
GUEST_LL=${GUEST_LL:--}
probe() { # yes|no [-4|-6] USER [PORT]
	local want=$1 fam=-4
	shift
	case ${1:-} in -4 | -6) fam=$1 && shift ;; esac
	local user=${1:?expect_login: no USER} port=${2:-${PORT:-22}} reply
	PROBE_N=$((PROBE_N + 1))
	reply=$(udp ask "$PHOST" "$PPORT" "LOGIN $NAME $PROBE_N $want $fam $user $port $GUEST_LL" "$PROBE_WAIT") || reply=""
	if [[ -z $reply ]]; then
		echo "HOST-PROBE $PROBE_N ($want $fam $user port $port): no answer within ${PROBE_WAIT}s (blocked on the way back?); the host's record decides"
		return 0
	fi
	echo "HOST-PROBE $PROBE_N: $reply"
	[[ $reply == PASS* ]]
}
expect_login() { probe yes "$@"; }
expect_no_login() { probe no "$@"; }
reboot_guest() {
	echo "FAIL: reboot_guest is not supported by the detached in-guest runner"
	return 1
}
fingerprint() {
	# shellcheck disable=SC2016 # the same text as tb_fingerprint in tests/integration/lib.sh
	env -i PATH="$GUEST_PATH" LANG=C.UTF-8 /bin/sh -c '
		for d in /etc/ssh /etc/systemd/system /etc/ufw; do
			[ -e "$d" ] || continue
			find "$d" -xdev | LC_ALL=C sort | while IFS= read -r f; do
				if [ -L "$f" ]; then t="-> $(readlink "$f")"
				elif [ -f "$f" ]; then t=$(sha256sum <"$f" | cut -d" " -f1)
				else t=-; fi
				printf "%s %s %s\n" "$f" "$(stat -c "%U:%G %a %F" "$f")" "$t"
			done
		done
		for u in ssh.service ssh.socket; do
			printf "%s is-enabled=%s is-active=%s\n" "$u" \
				"$(systemctl is-enabled "$u" 2>&1)" "$(systemctl is-active "$u" 2>&1)"
		done
		echo "nft -s list ruleset:"
		nft -s list ruleset 2>&1
	'
}
expect_fingerprint() {
	local saved=$1 what=${2:-state} now
	now=$(fingerprint)
	if [[ $now == "$saved" ]]; then
		echo "PASS: $what unchanged (fingerprint equal)"
		return 0
	fi
	echo "FAIL: $what changed; diff saved -> now:"
	diff -u <(printf '%s\n' "$saved") <(printf '%s\n' "$now") | tail -n +3 | sed 's/^/    /' || true
	return 1
}
expect_output() {
	local want=$1 cmd=$2 got
	got=$(env -i PATH="$GUEST_PATH" HOME=/root LANG=C.UTF-8 /bin/sh -c "$cmd" 2>&1) || true
	if [[ $got == "$want" ]]; then
		echo "PASS: '$cmd' prints '$want'"
		return 0
	fi
	echo "FAIL: '$cmd' prints '$got', expected '$want'"
	return 1
}
fail() {
	echo "FAIL: $*"
	return 1
}
# shellcheck disable=SC2034 # read by scenarios (txn-confirm-reboot: dirname "$BINARY")
BINARY=/usr/local/sbin/sshrepair

# ------------------------------------------------------------------ save / restore
# What a scenario or a repair may change, saved before break_host and put back after:
# the files under /etc/ssh, /etc/systemd/system, /etc/ufw, /etc/default/ufw, /etc/iptables,
# /etc/nftables.conf, /etc/firewalld, /etc/sysconfig; the nft ruleset and the legacy
# iptables tables; sshrepair's state. (The containers get the same isolation by throwing
# the whole overlay away.)
SAVE_PATHS="etc/ssh etc/systemd/system etc/ufw etc/default/ufw etc/iptables etc/nftables.conf etc/firewalld etc/sysconfig"
# (/proc files have size 0: test what they contain)
legacy_present() { [[ -n $(cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null) ]]; }
legacy_unload() {
	local t
	for t in $(cat /proc/net/ip_tables_names); do iptables-legacy -t "$t" -F; iptables-legacy -t "$t" -X; done 2>/dev/null
	for t in $(cat /proc/net/ip6_tables_names); do ip6tables-legacy -t "$t" -F; ip6tables-legacy -t "$t" -X; done 2>/dev/null
	for t in filter nat mangle raw security; do
		modprobe -r "iptable_$t" "ip6table_$t" 2>/dev/null || true
	done
	legacy_present && echo "note: legacy iptables tables still loaded: $(cat /proc/net/ip_tables_names /proc/net/ip6_tables_names | tr '\n' ' ')"
	return 0
}
save_state() {
	local p list=()
	for p in $SAVE_PATHS; do [[ -e /$p ]] && list+=("$p"); done
	tar -C / --xattrs --selinux -cpf "$D/saved.tar" "${list[@]}" 2>/dev/null ||
		tar -C / -cpf "$D/saved.tar" "${list[@]}"
	(cd / && find "${list[@]}" -xdev 2>/dev/null | LC_ALL=C sort) >"$D/saved.list"
	nft list ruleset >"$D/saved.nft" 2>/dev/null || true
	# Legacy iptables: only if its tables exist. Touching iptables-legacy loads the legacy
	# table modules, and then `iptables` (nft) prints "Warning: iptables-legacy tables
	# present" to every later scenario: empty legacy tables are unloaded instead.
	rm -f "$D/saved.ipt4" "$D/saved.ipt6"
	if legacy_present; then
		if ! { iptables-legacy-save; ip6tables-legacy-save; } 2>/dev/null | grep -Eq '^(-A |:[A-Z]+ (DROP|REJECT))'; then
			legacy_unload
		else
			iptables-legacy-save >"$D/saved.ipt4" 2>/dev/null || true
			ip6tables-legacy-save >"$D/saved.ipt6" 2>/dev/null || true
		fi
	fi
	systemctl list-units --all --no-legend --plain 2>/dev/null | awk '{print $1}' | LC_ALL=C sort >"$D/saved.units"
	# a fresh state directory, as in a new container
	rm -rf /var/lib/sshrepair
}
restore_state() {
	local u p
	# transient units the scenario or sshrepair started (listeners, confirm timers, ...)
	systemctl list-units --all --no-legend --plain 2>/dev/null | awk '{print $1}' | LC_ALL=C sort |
		comm -13 "$D/saved.units" - | grep -Ev '^(srvg-|session-|user@|user-runtime-dir@|.*\.device$|.*\.mount$|.*\.scope$|.*\.slice$)' |
		while read -r u; do systemctl stop "$u" >/dev/null 2>&1 || true; done
	systemctl stop 'listen*.service' 'sshrepair-rollback-*.timer' 'sshrepair-rollback-*.service' >/dev/null 2>&1 || true
	pkill -KILL -x sshrepair 2>/dev/null || true
	while mountpoint -q /var/lib/sshrepair; do umount -l /var/lib/sshrepair || break; done
	rm -rf /var/lib/sshrepair
	# files created since the save go, saved ones come back
	local list=()
	for p in $SAVE_PATHS; do [[ -e /$p ]] && list+=("$p"); done
	(cd / && find "${list[@]}" -xdev 2>/dev/null | LC_ALL=C sort) | comm -13 "$D/saved.list" - | sort -r |
		while IFS= read -r p; do rm -rf "/${p:?}"; done
	tar -C / --xattrs --selinux -xpf "$D/saved.tar" 2>/dev/null || tar -C / -xpf "$D/saved.tar"
	systemctl daemon-reload
	if [[ -s $D/saved.nft ]] || command -v nft >/dev/null; then
		nft flush ruleset 2>/dev/null || true
		[[ -s $D/saved.nft ]] && nft -f "$D/saved.nft"
	fi
	if [[ -f $D/saved.ipt4 ]]; then
		for t in $(cat /proc/net/ip_tables_names); do iptables-legacy -t "$t" -F; iptables-legacy -t "$t" -X; done 2>/dev/null
		for t in $(cat /proc/net/ip6_tables_names); do ip6tables-legacy -t "$t" -F; ip6tables-legacy -t "$t" -X; done 2>/dev/null
		for c in INPUT FORWARD OUTPUT; do iptables-legacy -P $c ACCEPT 2>/dev/null; ip6tables-legacy -P $c ACCEPT 2>/dev/null; done
		[[ -s $D/saved.ipt4 ]] && iptables-legacy-restore <"$D/saved.ipt4"
		[[ -s $D/saved.ipt6 ]] && ip6tables-legacy-restore <"$D/saved.ipt6"
	elif legacy_present; then
		legacy_unload
	fi
	systemctl is-enabled -q firewalld 2>/dev/null && systemctl restart firewalld
	systemctl is-enabled -q ufw 2>/dev/null && ufw --force reload >/dev/null 2>&1
	systemctl reset-failed >/dev/null 2>&1 || true
	for u in ssh.socket ssh.service sshd.service; do
		if systemctl is-enabled -q "$u" 2>/dev/null; then systemctl restart "$u" || true; fi
	done
	sleep 1
	echo "after restore: $(ss -Hltn 'sport = :22' | wc -l) listener(s) on port 22; ssh: $(systemctl is-active ssh.service ssh.socket sshd.service 2>/dev/null | tr '\n' ' ')"
}

# ------------------------------------------------------------------ one case
run_case() {
	# shellcheck source=/dev/null
	source "$SCENARIO"
	: "${DESCRIPTION:?scenario sets no DESCRIPTION}"
	ARGS=${ARGS-}
	EXPECT_RC=${EXPECT_RC:-0}
	section "$DESCRIPTION"
	local args=() rc=0 ok=1 runner=()
	read -r -a args <<<"$ARGS"

	section "break_host"
	break_host
	if declare -F check_before >/dev/null; then
		section "check_before"
		check_before
	fi
	section "sshrepair ${ARGS} (expect exit $EXPECT_RC)"
	[[ -n ${RUN_AS:-} ]] && runner=(setpriv "--reuid=$RUN_AS" "--regid=$RUN_AS" --init-groups)
	OUTPUT_FILE=$D/sshrepair.out
	echo "-------- sshrepair output begin"
	env -i PATH="$GUEST_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb \
		timeout "${TB_SSHREPAIR_TIMEOUT:-300}" "${runner[@]}" /usr/local/sbin/sshrepair "${args[@]}" \
		</dev/null >"$OUTPUT_FILE" || rc=$?
	echo "$rc" >"$D/sshrepair.rc"
	cat "$OUTPUT_FILE"
	echo "-------- sshrepair output end (exit $rc)"
	if ((rc == EXPECT_RC)); then
		echo "PASS: sshrepair exited $rc"
	else
		echo "FAIL: sshrepair exited $rc, expected $EXPECT_RC (running check_after anyway)"
		ok=0
	fi
	section "check_after"
	check_after
	((ok)) || exit 1
	echo "PASS: all checks of $NAME (guest side)"
}

result=fail reason=""
if ! hello=$(udp ask "$PHOST" "$PPORT" "HELLO $NAME" 20); then hello=""; fi
if [[ $hello != OK* ]]; then
	reason="no answer from the host's probe server at $PHOST:$PPORT: nothing was broken"
	echo "FAIL: $reason"
elif skip=$(bash -c 'source "$1" >/dev/null 2>&1; echo "${SKIP_REASON:-}"' sh "$SCENARIO") && [[ -n $skip ]]; then
	result=skip reason=$skip
	echo "SKIP: $reason"
elif variant=$(bash -c 'source "$1" >/dev/null 2>&1; echo "${ROOTFS_VARIANT:-}"' sh "$SCENARIO") &&
	[[ $variant == firewalld ]] && ! command -v firewall-cmd >/dev/null; then
	result=skip reason="ROOTFS_VARIANT=firewalld: this guest has no firewalld"
	echo "SKIP: $reason"
elif offline=$(bash -c 'source "$1" >/dev/null 2>&1; echo "${OFFLINE:-0}"' sh "$SCENARIO") && [[ $offline != 0 ]]; then
	result=skip reason="OFFLINE=1: sshrepair --root runs on the powered-off system's tree from a rescue container, which this in-guest runner does not have"
	echo "SKIP: $reason"
elif [[ $variant == cloudinit ]]; then
	result=skip reason="ROOTFS_VARIANT=cloudinit: boots a container with a NoCloud seed; this runner cannot reboot the guest"
	echo "SKIP: $reason"
elif [[ -n $variant && $variant != firewalld ]]; then
	result=skip reason="unknown ROOTFS_VARIANT '$variant'"
	echo "SKIP: $reason"
elif [[ $GUEST_LL == - ]] && grep -Eq '^[[:space:]]*[^#]*\bexpect_(no_)?login[[:space:]]+-6\b' "$SCENARIO"; then
	result=skip reason="logs in over IPv6 (expect_login -6), but the guest has no IPv6 link-local address toward the host"
	echo "SKIP: $reason"
elif grep -Eq '^[[:space:]]*[^#]*\breboot_guest\b' "$SCENARIO"; then
	result=skip reason="calls reboot_guest: a detached in-guest run cannot continue across a reboot"
	echo "SKIP: $reason"
else
	save_state
	set +e
	(
		set -euo pipefail
		run_case
	)
	rc=$?
	[[ $rc == 0 ]] && result=pass || result=fail
	[[ $rc == 0 ]] || reason="a guest-side check failed or the scenario stopped (exit $rc)"
	section "restore the state saved before break_host"
	restore_state
fi
echo
echo "GUEST-RESULT: $NAME $result $((SECONDS - T0))"
python3 - "$D" "$NAME" "$result" "$reason" "$((SECONDS - T0))" <<'PY'
import json, os, sys, socket
d, name, result, reason, secs = sys.argv[1:]
def read(p, default=None):
    try:
        with open(os.path.join(d, p), errors="replace") as f:
            return f.read()
    except OSError:
        return default
out = read("sshrepair.out")
doc = None
if out:
    try:
        doc = json.loads(out)
    except ValueError:
        pass
rc = read("sshrepair.rc")
log = read("log", "")
report = {
    "scenario": name, "guest": socket.gethostname(), "guest_result": result,
    "reason": reason or None, "seconds": int(secs),
    "sshrepair_exit": int(rc) if rc and rc.strip().isdigit() else None,
    "sshrepair_output": out if doc is None else None,
    "sshrepair_json": doc,
    "checks": [l for l in log.splitlines() if l.startswith(("PASS:", "FAIL:", "SKIP:", "HOST-PROBE"))],
}
with open(os.path.join(d, "report.json.tmp"), "w") as f:
    json.dump(report, f, indent=1)
os.replace(os.path.join(d, "report.json.tmp"), os.path.join(d, "report.json"))
PY
udp ask "$PHOST" "$PPORT" "DONE $NAME $result" 10 >/dev/null || udp ask "$PHOST" "$PPORT" "DONE $NAME $result" 10 >/dev/null || true
