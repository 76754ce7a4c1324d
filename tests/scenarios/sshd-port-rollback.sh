# shellcheck shell=bash
# Scenario: the port repair is applied, but the reload that should make sshd read it
# fails (ExecReload=/bin/false), so port 22 never answers. The verification fails; the
# rollback brings sshd_config back byte for byte (content, owner, mode, mtime): exit 3.
DESCRIPTION="port repair that cannot be verified: files restored byte-exact, exit 3"
ARGS="--yes --port 22"
EXPECT_RC=3

break_host() {
	g 'sed -i "s/^#Port 22$/Port 2222/" /etc/ssh/sshd_config && systemctl restart ssh'
	# Reloads fail from now on (the last ExecReload= line runs after kill -HUP would; make
	# the first one fail instead, so sshd never sees SIGHUP).
	g 'mkdir -p /etc/systemd/system/ssh.service.d && printf "[Service]\nExecReload=\nExecReload=/bin/false\n" >/etc/systemd/system/ssh.service.d/noreload.conf && systemctl daemon-reload'
}

check_before() {
	expect_no_login alice 22
	expect_login alice 2222
	FP_BEFORE=$(fingerprint)
	MTIME_BEFORE=$(g 'stat -c %Y.%y /etc/ssh/sshd_config')
}

check_after() {
	expect_fingerprint "$FP_BEFORE" "host state after the rollback"
	expect_output "$MTIME_BEFORE" 'stat -c %Y.%y /etc/ssh/sshd_config'
	expect_login alice 2222
	expect_no_login alice 22
}
