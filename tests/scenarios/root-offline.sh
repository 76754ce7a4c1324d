# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE are read by the runner
# Scenario (issue 7): offline repair of a stopped system's tree. The system has ssh.service
# disabled and stopped, ufw enabled with `deny 22/tcp` and `deny 23/tcp` (default: deny
# incoming) and a listener on 23, and `AllowUsers bob` in sshd_config. It is powered off;
# a rescue container runs `sshrepair --root /mnt/target --yes --user alice` on its tree.
# After the tree boots: alice logs in (v4, v6), bob still does, root is still refused,
# port 23 is still blocked, ufw is active, ssh.service is enabled. The journal and the
# report are in the tree.
DESCRIPTION="--root on a stopped system: sshd disabled, ufw denies 22, AllowUsers -> works after boot"
ARGS="--yes --user alice"
EXPECT_RC=0
OFFLINE=1

# shellcheck source-path=SCRIPTDIR source=../integration/offline-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/offline-case.sh"

check_offline_after() {
	rescue 'ls /mnt/target/var/lib/sshrepair/txn'
	rescue 'stat -c "%a %U %n" /mnt/target/var/log/sshrepair/last.json'
	# the steps name what a person would type for the tree: nothing for the live system
	if grep -E '^ +\$ ' "$OUTPUT_FILE" | grep -vE -- '--root|/mnt/target'; then
		fail "a step above does not name the offline tree (--root=/mnt/target or a path under /mnt/target)"
	fi
	echo "PASS: every step's command names the tree at /mnt/target"
}

check_after() {
	g 'ufw status numbered; iptables -S ufw-user-input; grep -n AllowUsers /etc/ssh/sshd_config; sshd -T -C user=alice,host=x,addr=192.0.2.1 | grep -i allowusers'
	expect_login alice
	expect_login -6 alice
	expect_login bob
	expect_no_login root
	offline_expect_other_rules_intact
	expect_output enabled 'systemctl is-enabled ssh.service'
	expect_output "AllowUsers bob alice" 'grep "^AllowUsers" /etc/ssh/sshd_config'
	offline_expect_report committed
	g 'sshrepair status'
}
