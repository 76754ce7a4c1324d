# shellcheck shell=bash
# Scenario: PermitRootLogin no and `--user root` without --allow-insecure: a finding that
# explains the risk, nothing changed, exit 1.
DESCRIPTION="PermitRootLogin no, --user root, no --allow-insecure: refuse, change nothing"
ARGS="--yes --user root"
EXPECT_RC=1

break_host() {
	g 'printf "PermitRootLogin no\n" >/etc/ssh/sshd_config.d/20-noroot.conf && systemctl restart ssh'
}

check_before() {
	expect_no_login root
	expect_login alice
	FP_BEFORE=$(fingerprint)
}

check_after() {
	expect_fingerprint "$FP_BEFORE" "host state without --allow-insecure"
	expect_no_login root
}
