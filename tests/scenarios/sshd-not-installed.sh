# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: openssh-server purged. The only package source is a local file: repository made
# from the .debs the image was built from (no network): the repair installs the server from
# there with apt-get, and SSH answers.
DESCRIPTION="sshd not installed: installed from a local package source"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	# a flat repository of every .deb the rootfs was built from
	g 'mkdir -p /srv/repo && cp /var/cache/apt/archives/*.deb /srv/repo/ && cd /srv/repo &&
	   for f in *.deb; do dpkg-deb -f "$f"; echo "Filename: ./$f"; echo "Size: $(stat -c %s "$f")"; echo "SHA256: $(sha256sum "$f" | cut -d" " -f1)"; echo; done >Packages &&
	   rm -f /etc/apt/sources.list.d/* && echo "deb [trusted=yes] file:/srv/repo ./" >/etc/apt/sources.list &&
	   apt-get update -q >/dev/null'
	g 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q openssh-server >/dev/null && ! test -e /usr/sbin/sshd'
}

check_before() {
	expect_no_login alice
}

check_after() {
	grep -q 'apt-get install -y openssh-server' "$OUTPUT_FILE" || fail "the plan does not show the install command"
	expect_login alice
	expect_output enabled 'systemctl is-enabled ssh'
}
