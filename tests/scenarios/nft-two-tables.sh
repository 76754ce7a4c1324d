# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: two tables hook input. The first (priority 0) accepts SSH, the later one
# (priority 10) rejects all TCP: an accept in one base chain does not stop another, so the
# later table is fixed.
DESCRIPTION="nftables: two tables, the later one rejects: fixed there"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'nft -f - <<EOF
table inet first {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
table ip second {
	chain input {
		type filter hook input priority 10; policy accept;
		meta l4proto tcp reject with tcp reset
	}
}
EOF'
}

check_before() {
	expect_no_login alice
	expect_login -6 alice
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_output 'tcp dport 22 accept comment "sshrepair"
reject with tcp reset' 'nft list chain ip second input | sed -n "s/^\t\t//p" | grep -v "^type "'
	expect_output 'tcp dport 22 accept' 'nft list chain inet first input | sed -n "s/^\t\t//p" | grep -v "^type "'
}
