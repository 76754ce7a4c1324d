# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: fail2ban bans the client, but ssh.service is masked: the unban runs,
# verification fails, and the ban comes back through fail2ban (exit 3); the other ban was
# never touched. Needs --from (see f2b-banned.sh).
DESCRIPTION="fail2ban unban applied, verification fails (ssh masked): the ban is restored"
ARGS="--yes --from 192.0.2.1"
EXPECT_RC=3
ROOTFS_VARIANT=firewalld

banned() {
	g 'fail2ban-client status sshd | sed -n "s/.*Banned IP list:[[:space:]]*//p" | tr " " "\n" | sort | tr "\n" " "'
}

break_host() {
	g 'systemctl mask --now ssh'
	g 'systemctl start fail2ban && for i in 1 2 3 4 5 6 7 8 9 10; do fail2ban-client ping >/dev/null 2>&1 && break; sleep 0.5; done'
	g 'fail2ban-client set sshd banip 192.0.2.1 198.51.100.7'
}

check_before() {
	expect_no_login alice
	SAVED=$(banned)
}

check_after() {
	local now
	now=$(banned)
	if [[ $now == "$SAVED" ]]; then
		echo "PASS: bans unchanged: $now"
	else
		fail "bans were '$SAVED', now '$now'"
	fi
	expect_output active 'systemctl is-active fail2ban'
	grep -q 'fail2ban-client set sshd unbanip 192.0.2.1' "$OUTPUT_FILE" || fail "no unban step"
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
}
