# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE, ROOTFS_VARIANT are read by the runner
# Scenario: offline (--root) with firewalld enabled at boot, and service ssh removed from
# its default zone permanently (so /etc/firewalld/zones/public.xml exists without it). In
# the rescue container no firewalld runs: sshrepair reads the tree's zone files and adds
# <service name="ssh"/> to that file, nothing else. After the tree boots, firewalld runs,
# allows ssh (runtime and permanent), and port 23 stays blocked.
DESCRIPTION="firewalld, --root: the tree's default zone lacks ssh: its zone file gets it, works after boot"
ARGS="--yes"
EXPECT_RC=0
OFFLINE=1
ROOTFS_VARIANT=firewalld

break_host() {
	g 'systemctl enable --now firewalld && firewall-cmd --permanent --remove-service=ssh && firewall-cmd --reload'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
}

check_offline_after() {
	local want
	want='sed -i '"'"'/^<\/zone>$/i \  <service name="ssh"/>'"'"' /mnt/target/etc/firewalld/zones/public.xml'
	grep -qF -- "$want" "$OUTPUT_FILE" || fail "the step is not the edit of the tree's zone file"
	if grep -q '^ *\$ firewall-cmd' "$OUTPUT_FILE"; then
		fail "a firewall-cmd step was planned offline"
	fi
	grep -q 'firewalld: in the tree, enabled: at its start, default zone public' "$OUTPUT_FILE" ||
		fail "the facts do not say that they come from the tree's zone files"
	echo "PASS: only the tree's zone file is edited"
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output running 'firewall-cmd --state'
	expect_output yes 'firewall-cmd --zone=public --query-service=ssh'
	expect_output yes 'firewall-cmd --permanent --zone=public --query-service=ssh'
}
