# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE are read by the runner
# Scenario: `sshrepair --root /mnt/target --dry-run --user alice` in a rescue container on
# the stopped tree of the root-offline system: it reports the faults (exit 1) and changes
# nothing in the tree -- not a byte under /etc, /home, /root, /var, /usr/local (no journal,
# no report). The system still boots broken.
DESCRIPTION="--root --dry-run on a stopped system: faults found, the tree unchanged"
ARGS="--dry-run --user alice"
EXPECT_RC=1
OFFLINE=1

# shellcheck source-path=SCRIPTDIR source=../integration/offline-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/offline-case.sh"

check_offline_before() {
	TREE_FP=$(tree_fingerprint etc home root var usr/local)
}

check_offline_after() {
	expect_tree_fingerprint "$TREE_FP" "the tree after --dry-run" etc home root var usr/local
	grep -q 'sshd.disabled' "$OUTPUT_FILE" || fail "the dry run does not report sshd.disabled"
	grep -q 'sshd\.allowusers\|AllowUsers' "$OUTPUT_FILE" || fail "the dry run does not report the AllowUsers fault"
	grep -qi 'ufw' "$OUTPUT_FILE" || fail "the dry run does not report the ufw fault"
	echo "PASS: the dry run reports the service, AllowUsers and ufw faults"
}

check_after() {
	expect_no_login alice
	expect_no_login bob 23
	expect_output disabled 'systemctl is-enabled ssh.service'
}
