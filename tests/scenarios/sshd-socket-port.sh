# shellcheck shell=bash
# Scenario: socket activation (ssh.socket, as Ubuntu 22.10+ ships; Debian 12 has the unit).
# A drop-in moved the socket to 2222; sshd_config still says 22, which does not matter:
# the socket's ListenStream= decides. The repair adds a drop-in that keeps 2222, adds 22.
DESCRIPTION="ssh.socket listens on 2222, clients use 22: socket drop-in keeps 2222, adds 22"
ARGS="--yes --port 22"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh.service'
	g 'mkdir -p /etc/systemd/system/ssh.socket.d && printf "[Socket]\nListenStream=\nListenStream=2222\n" >/etc/systemd/system/ssh.socket.d/port.conf'
	g 'systemctl daemon-reload && systemctl enable --now ssh.socket'
}

check_before() {
	expect_no_login alice 22
	expect_login alice 2222
	MAIN_BEFORE=$(g 'sha256sum /etc/ssh/sshd_config')
}

check_after() {
	expect_login alice 22
	expect_login alice 2222
	g 'cat /etc/systemd/system/ssh.socket.d/zz-sshrepair-port.conf'
	[[ $(g 'sha256sum /etc/ssh/sshd_config') == "$MAIN_BEFORE" ]] || fail "sshd_config changed"
	reboot_guest
	expect_login alice 22
	expect_login alice 2222
}
