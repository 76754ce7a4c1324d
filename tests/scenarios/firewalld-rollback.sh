# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: firewalld blocks SSH (no service ssh, and a rich rule rejecting 22), but
# ssh.service is masked: the firewalld steps run, verification fails, and both runtime and
# permanent configuration come back exactly (exit 3); firewalld keeps running. (firewalld
# itself rewrites its backup public.xml.old on every change: not compared.)
DESCRIPTION="firewalld steps applied, verification fails (ssh masked): runtime and permanent restored"
ARGS="--yes"
EXPECT_RC=3
ROOTFS_VARIANT=firewalld

state() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	g 'firewall-cmd --state; for p in "" --permanent; do firewall-cmd $p --zone=public --list-all; done; cat /etc/firewalld/zones/public.xml'
}

break_host() {
	g 'systemctl mask --now ssh'
	g "systemctl start firewalld && firewall-cmd --permanent --remove-service=ssh && firewall-cmd --permanent --add-rich-rule='rule port port=\"22\" protocol=\"tcp\" reject' && firewall-cmd --reload"
}

check_before() {
	expect_no_login alice
	SAVED=$(state)
}

check_after() {
	local now
	now=$(state)
	if [[ $now == "$SAVED" ]]; then
		echo "PASS: firewalld runtime and permanent state unchanged"
	else
		diff -u <(printf '%s\n' "$SAVED") <(printf '%s\n' "$now") || true
		fail "firewalld state differs after the rollback"
	fi
	grep -q 'firewall-cmd --permanent' "$OUTPUT_FILE" || fail "no firewalld step was planned"
	grep -q 'rolled back' "$OUTPUT_FILE" || fail "no rollback reported"
}
