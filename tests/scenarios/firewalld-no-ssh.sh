# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: firewalld runs, and service ssh was removed from the zone of eth0 (the default
# zone, public), runtime and permanent. It is added back over D-Bus, runtime and
# permanent; firewalld keeps running, port 23 stays blocked.
DESCRIPTION="firewalld: zone without ssh -> service ssh allowed, runtime and permanent"
ARGS="--yes"
EXPECT_RC=0
ROOTFS_VARIANT=firewalld

break_host() {
	g 'systemctl start firewalld && firewall-cmd --permanent --remove-service=ssh && firewall-cmd --reload'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output running 'firewall-cmd --state'
	expect_output yes 'firewall-cmd --zone=public --query-service=ssh'
	expect_output yes 'firewall-cmd --permanent --zone=public --query-service=ssh'
	# and it survives a reload
	g 'firewall-cmd --reload'
	expect_login alice
}
