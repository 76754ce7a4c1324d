# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: firewalld's zone allows ssh, but a rich rule rejects port 22 (runtime and
# permanent); firewalld applies deny rules before allows. The rich rule is removed in both;
# a second rich rule rejecting 23 stays.
DESCRIPTION="firewalld: rich rule rejecting port 22 alone -> removed, runtime and permanent"
ARGS="--yes"
EXPECT_RC=0
ROOTFS_VARIANT=firewalld

break_host() {
	g 'systemctl start firewalld'
	g "firewall-cmd --permanent --add-rich-rule='rule port port=\"22\" protocol=\"tcp\" reject' && firewall-cmd --permanent --add-rich-rule='rule port port=\"23\" protocol=\"tcp\" reject' && firewall-cmd --permanent --add-port=23/tcp && firewall-cmd --reload"
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_no_login alice 23
	expect_output running 'firewall-cmd --state'
	expect_output 'rule port port="23" protocol="tcp" reject' 'firewall-cmd --zone=public --list-rich-rules'
	expect_output 'rule port port="23" protocol="tcp" reject' 'firewall-cmd --permanent --zone=public --list-rich-rules'
}
