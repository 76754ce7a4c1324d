# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the firewalls block SSH (iptables-nft, ip6tables-nft, iptables-legacy), but
# ssh.service is masked, so nothing answers after the firewall steps: the repair fails
# verification and every firewall is restored exactly (exit 3).
DESCRIPTION="firewall steps applied, verification fails (ssh masked): every table rolled back exactly"
ARGS="--yes"
EXPECT_RC=3

save_all() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	g 'for t in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do echo "== $t"; $t-save 2>&1 | grep -v "^#"; done; true'
}

break_host() {
	g 'systemctl mask --now ssh'
	g 'iptables -P INPUT DROP && iptables -A INPUT -p tcp -m multiport --dports 20:25 -j DROP &&
	   iptables -A INPUT -p tcp --dport 22 -m comment --comment "no \"ssh\" here" -j REJECT'
	g 'ip6tables -A INPUT -p tcp --dport 22 -j DROP'
	g 'iptables-legacy -A INPUT -p tcp --dport 22 -j DROP && iptables-legacy -A INPUT -p tcp --dport 80 -j DROP'
}

check_before() {
	expect_no_login alice
	FP=$(fingerprint)
	SAVED=$(save_all)
}

check_after() {
	expect_fingerprint "$FP" "host state after the rollback"
	local now
	now=$(save_all)
	if [[ $now == "$SAVED" ]]; then
		echo "PASS: iptables-save of all four tables unchanged "
	else
		diff -u <(printf '%s\n' "$SAVED") <(printf '%s\n' "$now") || true
		fail "iptables rules differ after the rollback"
	fi
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
}
