# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: nothing is broken. sshrepair must say so (exit 0) and change nothing.
# Scenario API: see tests/integration/README.md. Guest commands (g '...') are POSIX sh.
DESCRIPTION="healthy host: nothing to repair, nothing may change"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	: # nothing to break
}

check_before() {
	expect_login alice
	FP_BEFORE=$(fingerprint)
}

check_after() {
	expect_login alice
	expect_fingerprint "$FP_BEFORE" "host state (files under /etc/ssh, /etc/systemd/system, /etc/ufw; ssh units; ruleset)"
}
