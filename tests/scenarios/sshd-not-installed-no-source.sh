# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: openssh-server purged and no package source reachable. The install fails, the
# run says why and what to do next, exits 1, and leaves the host as it was.
DESCRIPTION="sshd not installed, no package source: exit 1 with the reason, nothing changed"
ARGS="--yes"
EXPECT_RC=1

break_host() {
	g 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q openssh-server >/dev/null'
	g 'rm -f /etc/apt/sources.list.d/* /etc/apt/sources.list && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/openssh-server*'
	FP=$(fingerprint)
}

check_after() {
	grep -q 'not available from the host.s package sources' "$OUTPUT_FILE" || fail "no reason given"
	grep -q 'Unable to locate package\|has no installation candidate' "$OUTPUT_FILE" || fail "apt's own message is not shown"
	expect_fingerprint "$FP"
	expect_output "" 'test -e /usr/sbin/sshd && echo present || true'
}
