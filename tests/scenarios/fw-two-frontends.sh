# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: two frontends block SSH at once: ufw (a DENY for the range 19:124, through
# iptables-nft) and a raw iptables-legacy DROP for 22 alone. Both are fixed, each through
# its own tool; port 23 stays blocked.
DESCRIPTION="ufw range deny + iptables-legacy DROP 22: both fixed, each its own way"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'ufw default allow incoming && ufw deny 19:124/tcp && ufw --force enable'
	g 'iptables-legacy -A INPUT -p tcp --dport 22 -j DROP && iptables-legacy -A INPUT -p tcp --dport 80 -j DROP'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_no_login alice 23
	expect_output 'Status: active' 'ufw status | head -n 1'
	expect_output '-A INPUT -p tcp -m tcp --dport 80 -j DROP' 'iptables-legacy -S INPUT | grep "^-A"'
	grep -q 'ufw insert 1 allow' "$OUTPUT_FILE" || fail "ufw was not fixed through ufw"
}
