# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the blocking ruleset comes from /etc/nftables.conf (nftables.service enabled), and
# ssh.service is masked, so nothing answers after the repair: the kernel's ruleset and the
# file (content, mode, owner, mtime) come back exactly as they were (exit 3).
DESCRIPTION="nftables: rule deleted in kernel and /etc/nftables.conf, verification fails: both restored"
ARGS="--yes"
EXPECT_RC=3

state() {
	g 'stat -c "%a %U:%G %Y" /etc/nftables.conf; sha256sum </etc/nftables.conf
	   nft -s -j list ruleset | sed -e "s/\"handle\": [0-9]*//g" -e "s/\"version\": \"[^\"]*\"//"'
}

break_host() {
	g 'systemctl mask --now ssh'
	g 'cat >/etc/nftables.conf <<EOF
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 drop
		tcp dport { 20-25, 8022 } drop
	}
}
EOF
chmod 0640 /etc/nftables.conf && touch -d "2020-01-02 03:04:05" /etc/nftables.conf'
	g 'systemctl enable --now nftables.service'
}

check_before() {
	expect_no_login alice
	BEFORE=$(state)
}

check_after() {
	local now
	grep -q 'nftables.conf' "$OUTPUT_FILE" || fail "no step for /etc/nftables.conf"
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
	now=$(state)
	if [[ $now == "$BEFORE" ]]; then
		echo "PASS: /etc/nftables.conf (content, mode, owner, mtime) and the ruleset are as they were"
	else
		echo "FAIL: state differs after the rollback"
		diff -u <(printf '%s\n' "$BEFORE") <(printf '%s\n' "$now") | head -20 || true
		return 1
	fi
}
