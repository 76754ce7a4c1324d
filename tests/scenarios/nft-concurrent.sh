# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# shellcheck disable=SC2016 # $(...) is expanded by the guest shell
# Scenario: all nftables changes of a run go in one netlink batch that checks the ruleset
# generation the probe read. A first run is paused (test hook) after its snapshot; meanwhile
# someone adds a rule. The kernel refuses the whole batch: nothing of the run is applied,
# the rule added meanwhile stays, exit 3. The second run (the runner's) then repairs.
DESCRIPTION="nftables: a change made during the run aborts the whole batch: nothing changed, exit 3"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'sshrepair --version | grep -q +test-hooks' || fail "sshrepair was built without -Dtest-hooks=true"
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		tcp dport 22 drop
		tcp dport 20-25 drop
	}
}
EOF'
	# record 2 is the nftables snapshot: the run sleeps 5 s after it, before any step
	g 'SSHREPAIR_TEST_PAUSE_AFTER=2 setsid sshrepair --yes >/tmp/first.out 2>&1 & echo $! >/tmp/first.pid'
	g 'for i in $(seq 200); do ls /var/lib/sshrepair/txn/*/snapshot.nftables >/dev/null 2>&1 && break; sleep 0.05; done'
	g 'nft add rule inet filter input tcp dport 9 accept && nft -s list ruleset >/tmp/mid.rules'
	g 'while kill -0 $(cat /tmp/first.pid) 2>/dev/null; do sleep 0.2; done; cat /tmp/first.out'
	g 'grep -q "the batch of 2 change(s) was refused, nothing was changed" /tmp/first.out' ||
		fail "the first run did not report the refused batch"
	g 'grep -q "(exit 3)" /tmp/first.out' || fail "the first run did not exit 3"
	g 'grep -q "differs from the snapshot" /tmp/first.out' && fail "the rollback compared someone else's change"
	g 'nft -s list ruleset | diff -u /tmp/mid.rules -' || fail "the refused run changed the ruleset"
	echo "PASS: the first run's batch was refused as a whole; the rule added meanwhile stays"
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_output 'ct state established,related accept
tcp dport 22 accept comment "sshrepair"
tcp dport 20-25 drop
tcp dport 9 accept' 'nft list chain inet filter input | sed -n "s/^\t\t//p" | grep -v "^type "'
}
