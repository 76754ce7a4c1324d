#!/bin/bash
# vagrant/provision.sh FAMILY PUBKEY — runs as root in each guest (Vagrant's shell
# provisioner). Installs what the scenarios and the build need, builds sshrepair from the
# synced folder /vagrant (or installs /tmp/sshrepair.prebuilt when the host uploaded one),
# and sets up what the container rootfs of tests/integration has: users alice and bob,
# group sshusers, the test key for alice, bob and root. Idempotent.
#   FAMILY: debian (Debian, Ubuntu) | rhel (Rocky, Alma)
set -euo pipefail
family=${1:?family}
pub=${2:-}
log() { printf '[provision] %s\n' "$*"; }

# ---------------------------------------------------------------- packages
if [[ $family == debian ]]; then
	pkgs="openssh-server openssh-client nftables iptables ufw iproute2 procps python3 sudo diffutils
		gcc libc6-dev meson ninja-build pkg-config libsystemd-dev libaugeas-dev augeas-lenses
		libnftnl-dev libmnl-dev libxml2-dev"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
	done
	if [[ -n $missing ]]; then
		log "installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing
	fi
	# As in the containers: no firewall active; scenarios enable what they need.
	systemctl disable --now nftables.service ufw.service 2>/dev/null || true
	[[ -f /etc/ufw/ufw.conf ]] && sed -i 's/^ENABLED=.*/ENABLED=no/' /etc/ufw/ufw.conf
	ufw --force disable >/dev/null 2>&1 || true
elif [[ $family == rhel ]]; then
	pkgs="openssh-server openssh-clients nftables iptables-nft firewalld iproute procps-ng python3 sudo
		diffutils util-linux gcc meson ninja-build pkgconf-pkg-config systemd-devel augeas-devel
		augeas-libs libnftnl-devel libmnl-devel libxml2-devel policycoreutils"
	missing=""
	for p in $pkgs; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done
	if [[ -n $missing ]]; then
		log "installing:$missing"
		# meson, ninja-build and some -devel packages live in CRB on EL9
		dnf -y -q install dnf-plugins-core
		dnf config-manager --set-enabled crb || true
		# shellcheck disable=SC2086
		dnf -y -q install $missing
	fi
	# What makes this machine worth having: the distribution's defaults stay on.
	systemctl enable --now firewalld.service
	log "SELinux: $(getenforce 2>/dev/null || echo unknown); firewalld: $(firewall-cmd --state 2>&1)"
else
	echo "unknown family '$family'" >&2
	exit 2
fi

# ---------------------------------------------------------------- users and the test key
groupadd -f sshusers
for u in alice bob; do
	id -u "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group "$u"
	usermod -p '*' "$u" # no password, but not locked (sshd refuses locked accounts with UsePAM=no)
done
if [[ -n $pub ]]; then
	for h in /root /home/alice /home/bob; do
		o=$(stat -c %u "$h")
		g=$(stat -c %g "$h")
		install -d -m 0700 -o "$o" -g "$g" "$h/.ssh"
		touch "$h/.ssh/authorized_keys"
		grep -qxF "$pub" "$h/.ssh/authorized_keys" || printf '%s\n' "$pub" >>"$h/.ssh/authorized_keys"
		chown "$o:$g" "$h/.ssh/authorized_keys"
		chmod 0600 "$h/.ssh/authorized_keys"
		command -v restorecon >/dev/null && restorecon -R "$h/.ssh" || true
	done
else
	log "WARNING: no test key given: the scenarios' login probes will fail"
fi

# ---------------------------------------------------------------- sshrepair
if [[ -f /tmp/sshrepair.prebuilt ]]; then
	log "installing the host-built binary (/tmp/sshrepair.prebuilt)"
	install -m 0755 /tmp/sshrepair.prebuilt /usr/local/sbin/sshrepair
	rm -f /tmp/sshrepair.prebuilt
else
	[[ -f /vagrant/meson.build ]] || { echo "/vagrant/meson.build missing: is the synced folder there?" >&2; exit 1; }
	b=/var/tmp/sshrepair-build
	log "building sshrepair from /vagrant in $b"
	if [[ ! -f $b/build.ninja ]]; then
		rm -rf "$b"
		meson setup "$b" /vagrant -Dtest-hooks=true -Dtests=disabled -Dintegration=false
	fi
	ninja -C "$b"
	install -m 0755 "$b/sshrepair" /usr/local/sbin/sshrepair
	[[ -f $b/sshrepair-recover.service ]] && install -m 0644 "$b/sshrepair-recover.service" /usr/local/sbin/sshrepair-recover.service
fi
command -v restorecon >/dev/null && restorecon /usr/local/sbin/sshrepair || true
log "$(/usr/local/sbin/sshrepair --version)"
install -d -m 0700 /var/lib/sshrepair-vagrant
