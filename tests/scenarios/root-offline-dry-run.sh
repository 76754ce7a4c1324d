# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE are read by the runner
# Scenario: `sshrepair --root /mnt/target --dry-run --user alice` in a rescue container on
# the stopped tree of the root-offline system: it reports the faults (exit 1) and changes
# nothing in the tree -- not a byte under /etc, /home, /root, /var, /usr/local (no journal,
# no report). The system still boots broken.
# A Match block for alice makes the tool ask the tree's own sshd whether it applies, which
# needs a scratch config file: it must not be written into the tree either. While the tool
# runs, the tree's /tmp is a plain file, so any attempt to create a file there fails.
DESCRIPTION="--root --dry-run on a stopped system: faults found, the tree unchanged"
ARGS="--dry-run --user alice"
EXPECT_RC=1
OFFLINE=1

# shellcheck source-path=SCRIPTDIR source=../integration/offline-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/offline-case.sh"

eval "offline_$(declare -f break_host)"
break_host() {
	offline_break_host
	g 'printf "Match User alice\n\tAllowUsers carol\n" >>/etc/ssh/sshd_config && sshd -t'
}

check_offline_before() {
	TREE_FP=$(tree_fingerprint etc home root var usr/local)
	mv "$TB_DIR/merged/tmp" "$TB_DIR/merged/tmp.saved" && touch "$TB_DIR/merged/tmp" ||
		fail "cannot replace the tree's /tmp"
}

check_offline_after() {
	rm "$TB_DIR/merged/tmp" && mv "$TB_DIR/merged/tmp.saved" "$TB_DIR/merged/tmp" ||
		fail "cannot put the tree's /tmp back"
	expect_tree_fingerprint "$TREE_FP" "the tree after --dry-run" etc home root var usr/local
	grep -q 'sshd.disabled' "$OUTPUT_FILE" || fail "the dry run does not report sshd.disabled"
	grep -q 'sshd\.allowusers\|AllowUsers' "$OUTPUT_FILE" || fail "the dry run does not report the AllowUsers fault"
	grep -q 'a Match block that applies sets it' "$OUTPUT_FILE" ||
		fail "the dry run did not find that alice's Match block sets AllowUsers"
	grep -qi 'ufw' "$OUTPUT_FILE" || fail "the dry run does not report the ufw fault"
	echo "PASS: the dry run reports the service, AllowUsers (from alice's Match block) and ufw faults"
}

check_after() {
	expect_no_login alice
	expect_no_login bob 23
	expect_output disabled 'systemctl is-enabled ssh.service'
}
