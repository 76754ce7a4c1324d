# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, ROOTFS_VARIANT are read by the runner
# Scenario: firewalld is enabled but stopped (so SSH works now), and its permanent
# configuration lacks service ssh: at the next boot it would block SSH. sshrepair reads the
# zone files (nobody answers on the bus), reports it, and adds <service name="ssh"/> to
# /etc/firewalld/zones/public.xml; firewalld is not started. After a reboot firewalld runs
# and SSH works; port 23 stays blocked.
DESCRIPTION="firewalld enabled but stopped, permanent config without ssh: zone file fixed, works after reboot"
ARGS="--yes"
EXPECT_RC=0
ROOTFS_VARIANT=firewalld

break_host() {
	g 'systemctl enable --now firewalld && firewall-cmd --permanent --remove-service=ssh && systemctl stop firewalld'
}

check_before() {
	expect_login alice
	expect_output inactive 'systemctl is-active firewalld'
}

check_after() {
	grep -q 'firewall.firewalld.not-allowed: firewalld is enabled but not running: when it starts, a TCP SYN to port 22 in zone public is rejected' "$OUTPUT_FILE" ||
		fail "the stopped firewalld's permanent configuration is not reported"
	grep -qF "sed -i '/^<\\/zone>\$/i \\  <service name=\"ssh\"/>' /etc/firewalld/zones/public.xml" "$OUTPUT_FILE" ||
		fail "the step is not the edit of the zone file"
	expect_output inactive 'systemctl is-active firewalld'
	expect_output 1 'grep -c "<service name=\"ssh\"/>" /etc/firewalld/zones/public.xml'
	reboot_guest
	expect_output active 'systemctl is-active firewalld'
	expect_output yes 'firewall-cmd --zone=public --query-service=ssh'
	expect_login alice
	expect_login -6 alice
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
	expect_no_login alice 23
}
