# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the blocking ruleset comes from /etc/nftables.conf, loaded at boot by
# nftables.service: the same change is made in the file, and SSH works after a reboot.
DESCRIPTION="nftables: /etc/nftables.conf loaded at boot: the change persists across a reboot"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'cat >/etc/nftables.conf <<EOF
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport 22 drop # no ssh
		tcp dport 20-25 drop
	}
	chain forward {
		type filter hook forward priority filter;
	}
}
EOF'
	g 'systemctl enable --now nftables.service'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	grep -q 'nftables.conf' "$OUTPUT_FILE" || fail "the output does not say where the change persisted"
	expect_output '		meta l4proto ipv6-icmp accept
		tcp dport 22 accept comment "sshrepair"
		tcp dport 20-25 drop
	}' 'sed -n "10,13p" /etc/nftables.conf'
	reboot_guest
	expect_login alice
	expect_login -6 alice
}
