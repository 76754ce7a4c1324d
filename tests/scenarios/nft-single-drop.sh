# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: a native nftables rule drops exactly the SSH port: the rule is deleted, the rest
# of the chain stays as it was.
DESCRIPTION="nftables: 'tcp dport 22 drop' is deleted, nothing else changes"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		tcp dport 22 counter drop
		tcp dport 23 drop
	}
}
EOF'
}

check_before() {
	expect_no_login alice
	expect_no_login -6 alice
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_output 'ct state established,related accept
tcp dport 23 drop' 'nft list chain inet filter input | sed -n "s/^\t\t//p" | grep -v "^type "'
}
