# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the state directory is read-only (a read-only mount), then full (a tiny tmpfs):
# no snapshot can be recorded, so nothing may change: exit 5, host untouched.
DESCRIPTION="state directory read-only or full: refuse before any change, exit 5"
ARGS="--yes"
EXPECT_RC=5

break_host() {
	g 'systemctl disable --now ssh'
	g 'mkdir -p /var/lib/sshrepair && mount -t tmpfs -o ro,size=64k tmpfs /var/lib/sshrepair'
}

check_before() {
	FP_BROKEN=$(fingerprint)
}

check_after() {
	expect_fingerprint "$FP_BROKEN" "state after a refused run (read-only)"
	expect_no_login alice
	grep -q 'nothing was changed' "$OUTPUT_FILE" || fail "the refusal does not say that nothing changed"
	# now full: room for the directories, not for the snapshots
	g 'umount /var/lib/sshrepair && mount -t tmpfs -o size=8k tmpfs /var/lib/sshrepair && mkdir -m 0700 /var/lib/sshrepair/txn && dd if=/dev/zero of=/var/lib/sshrepair/fill bs=1k count=8 2>/dev/null || true; df -k /var/lib/sshrepair'
	expect_output 5 'sshrepair --yes >/tmp/full.out 2>&1; echo $?'
	g 'cat /tmp/full.out'
	expect_fingerprint "$FP_BROKEN" "state after a refused run (full)"
	expect_no_login alice
}
