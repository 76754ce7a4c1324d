# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE, ROOTFS_VARIANT are read by the runner
# Scenario: offline (--root), firewalld enabled, and the packaged default zone
# (/usr/lib/firewalld/zones/public.xml) has no ssh and there is no /etc copy. sshrepair makes
# the copy in /etc/firewalld/zones with ssh added, as firewalld would; `sshrepair --root
# rollback` removes it again and the tree is as it was. So after boot, still no login.
DESCRIPTION="firewalld, --root: zone copied to /etc with ssh, then rolled back: the copy is gone"
ARGS="--yes"
EXPECT_RC=0
OFFLINE=1
ROOTFS_VARIANT=firewalld

break_host() {
	g "sed -i '/<service name=\"ssh\"\\/>/d' /usr/lib/firewalld/zones/public.xml && rm -f /etc/firewalld/zones/public.xml && systemctl enable --now firewalld"
}

check_before() {
	expect_output no 'firewall-cmd --zone=public --query-service=ssh'
	expect_output no 'firewall-cmd --permanent --zone=public --query-service=ssh'
}

check_offline_before() {
	TFP=$(tree_fingerprint etc usr/lib/firewalld)
}

check_offline_after() {
	grep -q 'install -D -m 0644 /mnt/target/usr/lib/firewalld/zones/public.xml /mnt/target/etc/firewalld/zones/public.xml' "$OUTPUT_FILE" ||
		fail "the step does not copy the packaged zone"
	rescue 'grep -c "<service name=\"ssh\"/>" /mnt/target/etc/firewalld/zones/public.xml' | grep -qx 1 ||
		fail "the copy has no service ssh"
	rescue 'stat -c "%a %U" /mnt/target/etc/firewalld/zones/public.xml' | grep -qx '644 root' ||
		fail "the copy is not 0644 root, as firewalld writes it"
	rescue 'sshrepair --root /mnt/target rollback' || fail "rollback failed"
	rescue 'test ! -e /mnt/target/etc/firewalld/zones/public.xml' || fail "the copy is still there"
	expect_tree_fingerprint "$TFP" "the tree after the rollback" etc usr/lib/firewalld
}

check_after() {
	expect_output running 'firewall-cmd --state'
	expect_output no 'firewall-cmd --zone=public --query-service=ssh'
	expect_no_login alice
}
