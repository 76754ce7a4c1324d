# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: two runs at once. The first pauses inside its transaction (test hook); the
# second must refuse (exit 5) and name the first; the first then finishes normally.
DESCRIPTION="two runs at once: the second refuses with exit 5"
ARGS="--yes"
EXPECT_RC=5

break_host() {
	g 'sshrepair --version | grep -q +test-hooks' || fail "sshrepair was built without -Dtest-hooks=true"
	g 'systemctl stop ssh'
	g 'SSHREPAIR_TEST_PAUSE_AFTER=2 setsid sshrepair --yes >/tmp/first.out 2>&1 & echo $! >/tmp/first.pid; sleep 1'
}

check_after() {
	grep -q 'holds the lock' "$OUTPUT_FILE" || fail "the second run did not say that another holds the lock"
	grep -q "pid $(g 'cat /tmp/first.pid')" "$OUTPUT_FILE" || fail "the second run did not name the first"
	g 'while kill -0 $(cat /tmp/first.pid) 2>/dev/null; do sleep 0.2; done; cat /tmp/first.out'
	expect_login alice
	expect_output 1 'sshrepair status | grep -c committed'
}
