# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: 'tcp dport { 22, 8022 } drop' blocks SSH and another port where a second sshd
# listens: the rule matches more than SSH, so it stays, an accept for 22 goes before it,
# and 8022 stays blocked.
DESCRIPTION="nftables: 'tcp dport { 22, 8022 } drop': 22 opens, 8022 stays blocked"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport { 22, 8022 } drop
	}
}
EOF'
	g 'systemd-run --unit=listen8022 /usr/sbin/sshd -D -p 8022 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 8022
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 8022
	expect_no_login -6 alice 8022
	expect_output 'tcp dport 22 accept comment "sshrepair"
tcp dport { 22, 8022 } drop' 'nft list chain inet filter input | sed -n "s/^\t\t//p" | grep -v "^type "'
}
