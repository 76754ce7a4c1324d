# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the seed's "DROP tcp dports 20:25", in native nftables: the range rule stays and
# an accept for 22 goes directly before it; port 23 (a second sshd listens there) stays
# blocked.
DESCRIPTION="nftables: 'tcp dport 20-25 drop': accept 22 inserted before it, 23 stays blocked"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 80 accept
		tcp dport 20-25 drop
	}
}
EOF'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output 'tcp dport 80 accept
tcp dport 22 accept comment "sshrepair"
tcp dport 20-25 drop' 'nft list chain inet filter input | sed -n "s/^\t\t//p" | grep -v "^type "'
}
