# shellcheck shell=bash
# Scenario: the planned edit would make sshd -t fail (sshd accepts at most 256 Port lines;
# 256 are there, so 'Port 22' would be the 257th). The staged result is rejected before
# the live file is touched: exit 3, configuration byte-identical.
DESCRIPTION="an edit that sshd -t rejects: not applied, rolled back, exit 3"
ARGS="--yes --port 22"
EXPECT_RC=3

break_host() {
	g 'for p in $(seq 2000 2255); do echo "Port $p"; done >/etc/ssh/sshd_config.d/30-ports.conf'
	g 'systemctl stop ssh'
}

check_before() {
	g 'mkdir -p /run/sshd && sshd -t'
	expect_no_login alice
	FP_BEFORE=$(fingerprint)
}

check_after() {
	expect_fingerprint "$FP_BEFORE" "host state after the rejected edit"
}
