# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: a repair made with --confirm, then a reboot before the confirmation. The
# transient timer is gone with the reboot; sshrepair-recover.service rolls back at boot.
DESCRIPTION="--confirm, reboot before confirming: rolled back at boot by sshrepair-recover.service"
ARGS="--yes --confirm 600"
EXPECT_RC=0

break_host() {
	# the unit as meson built it (ExecStart= the installed binary's path)
	local unit
	unit=$(dirname "$BINARY")/sshrepair-recover.service
	[[ -f $unit ]] || fail "no $unit: build first"
	g 'cat >/etc/systemd/system/sshrepair-recover.service && systemctl daemon-reload && systemctl enable sshrepair-recover.service' <"$unit"
	g 'systemctl disable --now ssh'
	FP_BROKEN=$(fingerprint)
}

check_after() {
	expect_login alice
	reboot_guest
	expect_no_login alice
	g 'journalctl -b -u sshrepair-recover.service --no-pager | tail -n 5'
	expect_fingerprint "$FP_BROKEN" "state after the reboot"
	expect_output 1 'sshrepair status | grep -c rolled-back'
}
