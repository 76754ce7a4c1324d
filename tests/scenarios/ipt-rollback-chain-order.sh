# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the iptables-nft filter table's chains were created in an order of their own
# (INPUT, OUTPUT, a user chain, then FORWARD: what the Debian VM of fw-rollback had), and
# iptables-restore creates them in another. ssh.service is masked, so the repair fails
# verification; the rollback must bring back the same chains in the same order (the nft
# ruleset in the fingerprint), not only the same rules (exit 3, not 4).
DESCRIPTION="iptables-nft chains in their own order: rolled back in that order (exit 3)"
ARGS="--yes"
EXPECT_RC=3

break_host() {
	g 'systemctl mask --now ssh'
	g 'iptables -P INPUT DROP && iptables -A OUTPUT -j ACCEPT && iptables -N LOGDROP &&
	   iptables -A LOGDROP -j DROP && iptables -P FORWARD DROP &&
	   iptables -A INPUT -p tcp --dport 22 -j LOGDROP'
}

check_before() {
	expect_no_login alice
	FP=$(fingerprint)
	expect_output 'INPUT OUTPUT LOGDROP FORWARD' "nft list chains ip | sed -n 's/^.*chain \([A-Za-z]*\) {.*/\1/p' | tr '\n' ' ' | sed 's/ \$//'"
}

check_after() {
	expect_fingerprint "$FP" "host state (nft ruleset, chain order) after the rollback"
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
}
