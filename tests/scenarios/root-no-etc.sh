# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: --root names a directory that is not the root of an installed system (no
# etc/): usage error, exit 2, before anything is read or changed -- the directory stays
# empty of sshrepair's state and the (broken) live system is left alone. --confirm with
# --root is refused the same way.
DESCRIPTION="--root DIR without etc/: exit 2, nothing changed"
ARGS="--yes --root /srv/not-a-root"
EXPECT_RC=2

break_host() {
	g 'systemctl stop ssh'
	g 'mkdir -p /srv/not-a-root/var /srv/a-root/etc'
}

check_before() {
	FP=$(fingerprint)
}

check_after() {
	[[ ! -s $OUTPUT_FILE ]] || fail "sshrepair printed a report on stdout for a usage error"
	expect_output '/srv/not-a-root
/srv/not-a-root/var' 'find /srv/not-a-root'
	expect_fingerprint "$FP" "the live system"
	expect_output absent '[ -e /var/lib/sshrepair ] || [ -e /var/log/sshrepair ] && echo present || echo absent'
	expect_output inactive 'systemctl is-active ssh'
	# (the message names --confirm: refused for that, not for the almost empty tree)
	# shellcheck disable=SC2016 # expanded by the guest's shell
	expect_output 'rc=2 1' 'sshrepair --yes --confirm 60 --root /srv/a-root 2>/tmp/err >/dev/null; echo "rc=$? $(grep -c -- --confirm /tmp/err)"'
	expect_output '/srv/a-root
/srv/a-root/etc' 'find /srv/a-root'
}
