# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: policy drop, and --from 192.0.2.1/32: only that source gets in. The client
# namespace gets a second address, 192.0.2.3, and a login from it (ssh -b) must still fail.
DESCRIPTION="nftables: --from 192.0.2.1/32 opens SSH for that source only"
ARGS="--yes --from 192.0.2.1/32"
EXPECT_RC=0

second_source_login() {
	tb__nolock timeout 30 ip netns exec "$TB_NS_C" ssh -F /dev/null -n -i "$TB_KEY" -b 192.0.2.3 \
		-o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
		-o ConnectTimeout=4 -o LogLevel=ERROR alice@"$TB_SERVER4" true
}

break_host() {
	ip -n "$TB_NS_C" addr add 192.0.2.3/24 dev eth0
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
	}
}
EOF'
}

check_before() {
	expect_no_login alice
	if second_source_login; then fail "login from 192.0.2.3 works before the repair"; fi
}

check_after() {
	expect_login alice
	if second_source_login; then
		fail "login from 192.0.2.3 works: the repair opened more than --from"
	else
		echo "PASS: login from 192.0.2.3 still fails"
	fi
	expect_output 'ip saddr 192.0.2.1 tcp dport 22 accept comment "sshrepair"' \
		'nft list chain inet filter input | sed -n "s/^\t\t//p" | grep sshrepair'
}
