# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: alice's home directory is writable by a shared group: StrictModes refuses her
# keys. (Debian's sshd accepts group write by a user-private group, such as alice's own
# group alice; a shared one, such as sshusers with bob in it, it refuses.)
DESCRIPTION="home directory group-writable: chmod go-w, the key login works"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'usermod -aG sshusers bob && chgrp sshusers /home/alice && chmod 775 /home/alice'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output 755 'stat -c %a /home/alice'
}
