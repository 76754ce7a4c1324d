# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, ROOTFS_VARIANT are read by the runner
# Scenario: firewalld runs with two external interfaces in two zones: eth0 in public (no
# ssh: the client's way in) and a second interface, vz0 (one end of a veth pair), in work (ssh removed too). Each
# interface's zone is judged, not only the first one's: both zones get service ssh,
# runtime and permanent; other zones are left alone.
DESCRIPTION="firewalld: two interfaces in two zones without ssh -> both zones allow ssh"
ARGS="--yes"
EXPECT_RC=0
ROOTFS_VARIANT=firewalld

break_host() {
	g 'ip link add vz0 type veth peer name vz1 && ip addr add 198.51.100.2/24 dev vz0 && ip link set vz0 up'
	g 'systemctl start firewalld && firewall-cmd --permanent --zone=public --remove-service=ssh &&
	   firewall-cmd --permanent --zone=work --remove-service=ssh && firewall-cmd --reload &&
	   firewall-cmd --zone=work --change-interface=vz0'
}

check_before() {
	expect_no_login alice
	expect_output work 'firewall-cmd --get-zone-of-interface=vz0'
}

check_after() {
	grep -q 'firewalld: running, zones public (eth0, target default); work (vz0, target default)' "$OUTPUT_FILE" ||
		fail "the zones of both interfaces are not listed"
	expect_login alice
	expect_login -6 alice
	for z in public work; do
		expect_output yes "firewall-cmd --zone=$z --query-service=ssh"
		expect_output yes "firewall-cmd --permanent --zone=$z --query-service=ssh"
	done
	expect_output no 'firewall-cmd --permanent --zone=drop --query-service=ssh'
}
