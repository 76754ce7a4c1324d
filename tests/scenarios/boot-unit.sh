# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: an image with sshrepair-boot.service enabled boots with sshd disabled: the unit
# repairs it during boot, with no one at the console, and reports there.
DESCRIPTION="sshrepair-boot.service enabled in a broken image: fixed at boot"
ARGS="status"
EXPECT_RC=0

break_host() {
	local unit
	unit=$(dirname "$BINARY")/sshrepair-boot.service
	[[ -f $unit ]] || fail "no $unit: build first"
	g 'cat >/etc/systemd/system/sshrepair-boot.service && systemctl daemon-reload && systemctl enable sshrepair-boot.service' <"$unit"
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
}

check_after() {
	reboot_guest
	expect_login alice
	expect_output enabled 'systemctl is-enabled ssh'
	g 'journalctl -b -u sshrepair-boot.service --no-pager | tail -n 8'
	expect_output 1 'sshrepair status | grep -c committed'
}
