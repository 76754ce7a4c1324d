# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: a repair of three subsystems (an nftables drop, PubkeyAuthentication no in a
# drop-in, ssh.service stopped and disabled) killed with SIGKILL right after each journal
# record, then `sshrepair recover`. Before the commit record the host must be exactly as
# before the repair (files, unit states, ruleset); after it, repaired. Needs a build with
# -Dtest-hooks=true (the kill points exist only there).
DESCRIPTION="SIGKILL at every journal point of a firewall+config+service repair, then recover"
ARGS="status"
EXPECT_RC=0

break_all() {
	g 'nft add table inet block && nft add chain inet block input "{ type filter hook input priority 0; }" && nft add rule inet block input tcp dport 22 drop'
	g 'echo "PubkeyAuthentication no" >/etc/ssh/sshd_config.d/00-nopubkey.conf'
	g 'systemctl disable --now ssh 2>/dev/null'
}

break_host() {
	g 'sshrepair --version | grep -q +test-hooks' || fail "sshrepair was built without -Dtest-hooks=true"
	break_all
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	local n rc points=0
	for ((n = 1; n <= 60; n++)); do
		echo "---- kill after journal record $n"
		rc=0
		g "SSHREPAIR_TEST_KILL_AFTER=$n sshrepair --yes >/dev/null 2>&1" || rc=$?
		if [[ $rc != 137 ]]; then
			# fewer records than n: the run went through
			[[ $rc == 0 ]] || fail "uninterrupted run exited $rc"
			expect_login alice
			break
		fi
		points=$((points + 1))
		g 'sshrepair recover'
		if [[ $(g 'sshrepair status | head -n1') == *committed* ]]; then
			# killed after "commit": the repair stands, recover leaves it
			expect_login alice
			g 'rm -f /etc/ssh/sshd_config.d/00-nopubkey.conf; nft delete table inet block 2>/dev/null || true'
			break_all
			expect_fingerprint "$FP_BROKEN" "state broken again after a committed run"
		else
			expect_fingerprint "$FP_BROKEN" "state after recover (killed after record $n)"
			expect_no_login alice
		fi
	done
	echo "kill points exercised: $points"
	((points >= 10)) || fail "only $points kill points: the plan is not the three-subsystem one"
	expect_output "" 'sshrepair status | grep -E "incomplete|rollback-failed" || true'
}
