# shellcheck shell=bash
# Scenario: sshd was moved to port 2222; clients use 22. After `--port 22` both ports
# answer: nobody who uses 2222 is locked out.
DESCRIPTION="sshd listens on 2222, clients use 22: add Port 22, keep 2222"
ARGS="--yes --port 22"
EXPECT_RC=0

break_host() {
	g 'sed -i "s/^#Port 22$/Port 2222/" /etc/ssh/sshd_config && grep -n "^Port" /etc/ssh/sshd_config'
	g 'systemctl restart ssh'
}

check_before() {
	expect_no_login alice 22
	expect_login alice 2222
}

check_after() {
	expect_login alice 22
	expect_login alice 2222
	g 'grep -n "^Port" /etc/ssh/sshd_config'
	expect_output "" 'ls /etc/ssh | grep -v -e "^ssh_host_" -e "^sshd_config" -e "^ssh_config" -e "^moduli$"'
	g 'sshd -t'
}
