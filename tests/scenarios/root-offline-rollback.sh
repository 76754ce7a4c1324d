# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE are read by the runner
# Scenario: the root-offline repair of a stopped tree, then `sshrepair --root /mnt/target
# rollback` in the rescue container: the tree's /etc, /home and /root equal what they were
# before the repair, the transaction is rolled back, and the system boots as broken as
# before (ssh.service disabled, no login; port 23 still blocked, ufw active).
DESCRIPTION="--root repair then --root rollback: the tree equals its state before"
ARGS="--yes --user alice"
EXPECT_RC=0
OFFLINE=1

# shellcheck source-path=SCRIPTDIR source=../integration/offline-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/offline-case.sh"

check_offline_before() {
	TREE_FP=$(tree_fingerprint)
}

check_offline_after() {
	rescue 'sshrepair --root /mnt/target rollback' || fail "sshrepair --root /mnt/target rollback failed"
	expect_tree_fingerprint "$TREE_FP" "the tree after the rollback"
	rescue 'sshrepair --root /mnt/target status'
	local st
	st=$(rescue 'sshrepair --root /mnt/target status --json') || fail "sshrepair --root status --json failed"
	/usr/bin/python3 - "$st" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
txns = doc if isinstance(doc, list) else next(v for v in doc.values() if isinstance(v, list))
assert len(txns) == 1, txns
t = txns[0]
assert "rolled-back" in json.dumps(t), t
print("PASS: one transaction in the tree, rolled back")
PY
}

check_after() {
	expect_no_login alice
	expect_no_login bob 23
	expect_output disabled 'systemctl is-enabled ssh.service'
	expect_output 'Status: active' 'ufw status | head -n 1'
	expect_output "AllowUsers bob" 'grep "^AllowUsers" /etc/ssh/sshd_config'
}
