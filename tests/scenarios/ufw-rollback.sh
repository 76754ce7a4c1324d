# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ufw blocks SSH (a DENY for 22/tcp alone, and a range), but ssh.service is
# masked: the ufw steps run, verification fails, and ufw's files and the kernel's rules
# come back exactly (exit 3); ufw stays active.
DESCRIPTION="ufw steps applied, verification fails (ssh masked): ufw restored exactly, still active"
ARGS="--yes"
EXPECT_RC=3

break_host() {
	g 'systemctl mask --now ssh'
	g 'ufw deny 22/tcp && ufw deny 19:124/tcp && ufw --force enable'
}

check_before() {
	expect_no_login alice
	FP=$(fingerprint)
}

check_after() {
	expect_fingerprint "$FP" "host state after the rollback"
	expect_output 'Status: active' 'ufw status | head -n 1'
	grep -q 'ufw delete' "$OUTPUT_FILE" || fail "no ufw step was planned"
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
}
