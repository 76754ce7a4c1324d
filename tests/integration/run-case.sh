#!/bin/bash
# run-case.sh SCENARIO_FILE SSHREPAIR_BINARY
#
# Runs one scenario (tests/scenarios/NAME.sh) end to end in a throwaway booted Debian 12
# container: boot, break_host, check_before, `sshrepair $ARGS`, exit code == EXPECT_RC,
# check_after, teardown. Exit 0 pass, 1 fail, 77 skip (meson's convention).
# Always ends with a line "TB-RESULT: NAME pass|fail|skip SECONDS".
#
# OFFLINE=1 in a scenario: after check_before the container is powered off and the tool
# runs as `sshrepair --root /mnt/target $ARGS` in a rescue container on its tree
# (check_offline_before/_after around it); then the tree boots for check_after.
#
# Environment: SSHREPAIR_TESTS_REQUIRE=1 turns "cannot run here" (not root, no
# systemd-nspawn ...) from a skip into a failure, for CI. TB_SSHREPAIR_TIMEOUT (300 s)
# bounds one run of sshrepair.
#
# A sanitizer build (meson -Db_sanitize=address,undefined -Dsanitizer-logs=PREFIX) is
# recognised by the options it carries (tests/sanitize/options.c): every report of the
# tool, and of the units it starts, is a file PREFIX-asan.PID / PREFIX-ubsan.PID in the
# container or the rescue container, and any such file fails the case (printed). An
# explicit SSHREPAIR_SANITIZER_LOGS=PREFIX overrides the prefix read from the binary.
# shellcheck disable=SC2317 # the scenario API below is called from the sourced scenario
set -euo pipefail
exec 2>&1 # one stream: meson's log keeps the order of events

if (($# != 2)); then
	echo "usage: $0 SCENARIO_FILE SSHREPAIR_BINARY" >&2
	exit 2
fi
SCENARIO=$(realpath "$1")
BINARY=$(realpath "$2")
CASE=$(basename "$SCENARIO" .sh)
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

# ------------------------------------------------------------------ scenario API
# The generic names scenarios use; a Vagrant runner provides the same ones.
# The trace goes to stderr, so that $(g 'cat FILE') captures the file alone.
g() {
	printf '  [guest] $ %s\n' "$1" >&2
	local rc=0
	tb_sh "$@" || rc=$?
	((rc == 0)) || printf '  [guest] (exit %d)\n' "$rc" >&2
	return "$rc"
}
expect_login() { tb_expect_login "$@"; }
expect_no_login() { tb_expect_no_login "$@"; }
reboot_guest() { tb_reboot; }
fingerprint() { tb_fingerprint; }
# expect_fingerprint SAVED [WHAT]: PASS if fingerprint equals SAVED, else FAIL + diff.
expect_fingerprint() { tb_expect_fingerprint "$@"; }
# expect_output EXPECTED 'shell string': PASS if the guest command prints exactly
# EXPECTED on stdout (its exit code does not matter: `systemctl is-enabled` exits 1
# when it prints "disabled").
expect_output() {
	local want=$1 cmd=$2 got
	got=$(tb_sh "$cmd" 2>&1) || true
	if [[ $got == "$want" ]]; then
		echo "PASS: '$cmd' prints '$want'"
		return 0
	fi
	echo "FAIL: '$cmd' prints '$got', expected '$want'"
	return 1
}
# Offline scenarios (OFFLINE=1), while the target is powered off (check_offline_before,
# check_offline_after): rescue 'shell string' runs /bin/sh -c in the rescue container,
# where the stopped tree is at /mnt/target; tree_fingerprint [DIR...] and
# expect_tree_fingerprint SAVED [WHAT [DIR...]] describe the tree's files under DIR
# (relative; default etc home root) and compare them.
rescue() {
	printf '  [rescue] $ %s\n' "$1" >&2
	local rc=0
	tb_rescue /bin/sh -c "$@" || rc=$?
	((rc == 0)) || printf '  [rescue] (exit %d)\n' "$rc" >&2
	return "$rc"
}
tree_fingerprint() { tb_tree_fingerprint "$@"; }
expect_tree_fingerprint() { tb_expect_tree_fingerprint "$@"; }
# fail MESSAGE: fail the case from scenario code.
fail() {
	echo "FAIL: $*"
	return 1
}

section() { printf '\n======== %s: %s\n' "$CASE" "$*"; }

# ------------------------------------------------------------------ sanitizer reports
# The prefix the binary writes its reports to (the log_path of its built-in ASan options),
# or nothing for a build without -Dsanitizer-logs.
SANITIZER_LOGS=${SSHREPAIR_SANITIZER_LOGS:-$(grep -a -o -m 1 'log_path=/[^:]*-asan:halt_on_error' "$BINARY" |
	sed -n '1s/^log_path=\(.*\)-asan:halt_on_error$/\1/p' || true)}
SANITIZER_SHOWN=0
# sanitizer_reports: print every report file of the target and of the rescue container
# (read from the host: works while either is stopped); 1 if there is one.
sanitizer_reports() {
	[[ -n $SANITIZER_LOGS && -n ${TB_DIR:-} ]] || return 0
	local f found=0
	for f in "$TB_DIR/merged$SANITIZER_LOGS"-* "$TB_DIR/rescue/merged$SANITIZER_LOGS"-*; do
		[[ -f $f ]] || continue
		found=1
		echo "---- ${f#"$TB_DIR/"}"
		cat "$f"
	done
	SANITIZER_SHOWN=1
	return "$found"
}
# lib.sh calls this before it tears down a failed case: a report explains many failures
# (a unit the tool started that died with status 99, a check that then failed).
tb_case_debug_hook() {
	if ((!SANITIZER_SHOWN)) && [[ -n $SANITIZER_LOGS ]]; then
		echo "---- sanitizer reports ($SANITIZER_LOGS-*):"
		sanitizer_reports || true
	fi
}

# ------------------------------------------------------------------ one case
cannot_run() {
	if [[ ${SSHREPAIR_TESTS_REQUIRE:-0} == 1 ]]; then
		echo "FAIL: cannot run here: $*"
		exit 1
	fi
	echo "SKIP: cannot run here: $*"
	exit 77
}

run_case() {
	# shellcheck source=/dev/null
	source "$SCENARIO"
	: "${DESCRIPTION:?scenario $SCENARIO sets no DESCRIPTION}"
	ARGS=${ARGS-}
	EXPECT_RC=${EXPECT_RC:-0}
	declare -F break_host >/dev/null || { echo "FAIL: scenario defines no break_host()"; exit 1; }
	declare -F check_after >/dev/null || { echo "FAIL: scenario defines no check_after()"; exit 1; }

	section "$DESCRIPTION"
	if [[ -n ${SKIP_REASON:-} ]]; then
		echo "SKIP: $SKIP_REASON"
		exit 77
	fi
	[[ $(id -u) -eq 0 ]] || cannot_run "needs root"
	local tool
	[[ ${OFFLINE:-0} == [01] ]] || { echo "FAIL: OFFLINE must be 0 or 1, not '$OFFLINE'"; exit 1; }
	for tool in systemd-nspawn nsenter debootstrap ip ssh flock; do
		command -v "$tool" >/dev/null || cannot_run "'$tool' is not installed"
	done

	tb_gc
	tb_rootfs
	tb_install_binary "$BINARY"
	tb_up "$CASE"
	local missing
	missing=$(tb_exec ldd /usr/local/sbin/sshrepair 2>&1 | grep -F 'not found' || true)
	if [[ -n $missing ]]; then
		echo "FAIL: $BINARY needs libraries the container does not have:"
		echo "$missing"
		exit 1
	fi

	section "break_host"
	break_host
	if declare -F check_before >/dev/null; then
		section "check_before"
		check_before
	fi

	local args=() rc=0 ok=1 where=tb_exec
	read -r -a args <<<"$ARGS"
	# OFFLINE=1: the target is powered off (its overlay stays) and the tool runs as
	# `sshrepair --root /mnt/target $ARGS` in a rescue container; then the target boots.
	if [[ ${OFFLINE:-0} == 1 ]]; then
		section "power off the target; rescue container with its tree at $TB_RESCUE_TARGET"
		tb_poweroff
		tb_rescue_up
		if declare -F check_offline_before >/dev/null; then
			section "check_offline_before"
			check_offline_before
		fi
		args=(--root "$TB_RESCUE_TARGET" "${args[@]}")
		where=tb_rescue
	fi
	section "sshrepair ${args[*]} (expect exit $EXPECT_RC)"
	local runner=()
	# RUN_AS=USER runs the tool as that account instead of root.
	[[ -n ${RUN_AS:-} ]] && runner=(setpriv "--reuid=$RUN_AS" "--regid=$RUN_AS" --init-groups)
	# The scenario's check_after can read what the tool printed (stdout only) from OUTPUT_FILE.
	OUTPUT_FILE=$TB_DIR/sshrepair.out
	echo "-------- sshrepair output begin"
	$where timeout "${TB_SSHREPAIR_TIMEOUT:-300}" "${runner[@]}" /usr/local/sbin/sshrepair "${args[@]}" \
		</dev/null >"$OUTPUT_FILE" || rc=$?
	cat "$OUTPUT_FILE"
	echo "-------- sshrepair output end (exit $rc)"
	if ((rc == EXPECT_RC)); then
		echo "PASS: sshrepair exited $rc"
	else
		echo "FAIL: sshrepair exited $rc, expected $EXPECT_RC (running check_after anyway)"
		ok=0
	fi

	if [[ ${OFFLINE:-0} == 1 ]]; then
		if declare -F check_offline_after >/dev/null; then
			section "check_offline_after"
			check_offline_after
		fi
		section "boot the target"
		tb_boot
	fi

	section "check_after"
	check_after
	# A sanitizer build: any report, of the tool or of a unit it started, fails the case.
	if [[ -n $SANITIZER_LOGS ]]; then
		section "sanitizer reports ($SANITIZER_LOGS-*)"
		if ! sanitizer_reports; then
			echo "FAIL: sanitizer reports"
			exit 1
		fi
		echo "PASS: no sanitizer report"
	fi
	((ok)) || exit 1
	echo "PASS: all checks of $CASE"
}

T0=$SECONDS
rc=0
set +e
(
	set -e
	run_case
)
rc=$?
set -e
case $rc in
0) result=pass ;;
77) result=skip ;;
*) result=fail rc=1 ;;
esac
echo
echo "TB-RESULT: $CASE $result $((SECONDS - T0))"
exit "$rc"
