# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, OFFLINE are read by the runner
# Scenario: offline (--root) with nftables. The system loads /etc/nftables.conf at boot
# (nftables.service enabled), and the file drops port 22 (and 23). It is powered off; a
# rescue container runs `sshrepair --root /mnt/target --yes` on its tree. The tool
# evaluates the tree's file (not the rescue's, nor the host's, kernel ruleset) and edits only
# that file: after the tree boots, alice logs in (v4, v6) and port 23 is still dropped.
DESCRIPTION="nftables, --root: the tree's /etc/nftables.conf drops 22: the file is edited, works after boot"
ARGS="--yes"
EXPECT_RC=0
OFFLINE=1

break_host() {
	g 'cat >/etc/nftables.conf <<EOF
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		iif "lo" accept
		tcp dport 22 drop
		tcp dport 23 drop
	}
}
EOF'
	g 'systemctl enable --now nftables.service'
}

check_before() {
	expect_no_login alice
}

check_offline_after() {
	grep -q "sed -i -e '10d' /mnt/target/etc/nftables.conf" "$OUTPUT_FILE" ||
		fail "the step is not the edit of the tree's /etc/nftables.conf"
	if grep -q 'nft \(delete\|insert\|add\) rule' "$OUTPUT_FILE"; then
		fail "a kernel step was planned offline"
	fi
	grep -q 'at boot: /mnt/target/etc/nftables.conf (loaded at boot by nftables.service)' "$OUTPUT_FILE" ||
		fail "the facts do not say that they come from the tree's file"
	echo "PASS: only the tree's file is edited"
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_output '		iif "lo" accept
		tcp dport 23 drop
	}' 'sed -n "9,11p" /etc/nftables.conf'
	expect_output 'tcp dport 23 drop' 'nft list chain inet filter input | grep -o "tcp dport 23 drop"'
	expect_output '' 'nft list chain inet filter input | grep -o "tcp dport 22 drop"'
}
