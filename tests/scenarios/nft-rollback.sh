# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: nftables blocks SSH in three ways (a single-port rule with an anonymous set, a
# range, a drop policy behind them), but ssh.service is masked, so nothing answers after the
# firewall steps: the repair fails verification and the ruleset is restored exactly
# (`nft -s -j list ruleset` equal, handles aside; anonymous sets and comments included).
DESCRIPTION="nftables: steps applied, verification fails (ssh masked): ruleset restored exactly"
ARGS="--yes"
EXPECT_RC=3

ruleset() {
	g 'nft -s -j list ruleset | sed -e "s/\"handle\": [0-9]*//g" -e "s/\"version\": \"[^\"]*\"//"'
}

break_host() {
	g 'systemctl mask --now ssh'
	g 'nft -f - <<EOF
table ip other {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr 198.51.100.0/24 drop
	}
}
table inet filter {
	set blocked { type inet_service; flags interval; elements = { 1000-2000 } }
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		tcp dport { 22 } counter drop comment "only ssh"
		tcp dport { 20-25, 8022 } drop
		tcp dport @blocked drop
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
}
EOF'
}

check_before() {
	expect_no_login alice
	BEFORE=$(ruleset)
}

check_after() {
	local now
	now=$(ruleset)
	if [[ $now == "$BEFORE" ]]; then
		echo "PASS: the ruleset after the rollback equals the one before (nft -s -j, handles aside)"
	else
		echo "FAIL: the ruleset differs after the rollback"
		diff -u <(printf '%s\n' "$BEFORE" | tr '{' '\n') <(printf '%s\n' "$now" | tr '{' '\n') | head -40 || true
		return 1
	fi
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
	expect_no_login alice
}
