#!/bin/bash
# vagrant/build-box.sh — build a Debian 12 libvirt box locally, without downloading a box:
# the integration tests' cached debootstrap rootfs (tests/integration/lib.sh: users alice
# and bob, group sshusers, the client test key, ssh.service enabled) + a kernel, sudo,
# the vagrant user with Vagrant's public insecure key, systemd-networkd with DHCP, and
# sshrepair's build dependencies (so the Vagrantfile's in-guest build works without
# network). The disk is a bare ext4 filesystem (no partition table, no bootloader): the
# Vagrantfile boots it with libvirt's direct kernel boot (kernel/initrd copied out here).
#
#   vagrant/build-box.sh            # root; prints the paths; ~3 min the first time
#
# Output (cached; the key is the recipe + the base rootfs):
#   /var/cache/sshrepair-vagrant/box-KEY/{box.img,vmlinuz,initrd.img,sshrepair-debian12.box}
#   /var/cache/sshrepair-vagrant/current -> box-KEY
# and `vagrant box add --force --name local/sshrepair-debian12` (for the user running it).
set -euo pipefail

HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
TOP=$(dirname "$HERE")
CACHE=${SSHREPAIR_VAGRANT_CACHE:-/var/cache/sshrepair-vagrant}
BOX_NAME=${SSHREPAIR_VAGRANT_BOX_NAME:-local/sshrepair-debian12}
BOX_RECIPE="sshrepair-vagrant-box-2"
BOX_PACKAGES="linux-image-cloud-amd64 initramfs-tools sudo rsync python3 ca-certificates
gcc libc6-dev meson ninja-build pkg-config libsystemd-dev libaugeas-dev libnftnl-dev libmnl-dev"
SIZE_G=4

log() { printf '[build-box %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[build-box] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, systemd-nspawn)"
for t in debootstrap systemd-nspawn mkfs.ext4 qemu-img vagrant; do
	command -v "$t" >/dev/null || die "'$t' is not installed"
done
VAGRANT_PUB=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -n1) ||
	true
[[ -n $VAGRANT_PUB && -f $VAGRANT_PUB ]] || die "Vagrant's public insecure key (keys/vagrant.pub of the vagrant gem) not found"

# The base: the integration tests' rootfs (built or reused by their library; read-only use).
# shellcheck source=../tests/integration/lib.sh
source "$TOP/tests/integration/lib.sh"
tb_rootfs
log "base rootfs: $TB_ROOTFS"

key=$(printf '%s\n' "$(basename "$TB_ROOTFS")" "$BOX_RECIPE" "$BOX_PACKAGES" "$(cat "$VAGRANT_PUB")" | sha256sum | cut -c1-12)
OUT=$CACHE/box-$key
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [[ ! -f $OUT/sshrepair-debian12.box ]]; then
	rm -rf --one-file-system "$CACHE"/.build-* 2>/dev/null || true
	tmp=$(mktemp -d "$CACHE/.build-XXXXXX")
	[[ -d $tmp ]] || die "mktemp failed"
	log "building $OUT (log: $tmp/build.log)"
	cp -a "$TB_ROOTFS" "$tmp/root"
	root=$tmp/root
	# shellcheck disable=SC2086 # the package list is split on purpose
	if ! systemd-nspawn -q -D "$root" --register=no --keep-unit --resolv-conf=copy-host \
		/bin/sh -ec 'export DEBIAN_FRONTEND=noninteractive; apt-get update
			apt-get install -y --no-install-recommends "$@"; apt-get clean' sh $BOX_PACKAGES \
		>"$tmp/build.log" 2>&1; then
		tail -n 40 "$tmp/build.log" >&2
		die "installing the box packages failed (kept $tmp)"
	fi
	# the vagrant user: passwordless sudo, Vagrant's public insecure key (Vagrant replaces
	# it by a per-machine key on the first `vagrant up`)
	chroot "$root" /bin/sh -eu -c '
		id -u vagrant >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group vagrant
		usermod -p "*" vagrant
		install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
		printf "vagrant ALL=(ALL) NOPASSWD: ALL\nDefaults:vagrant !requiretty\n" >/etc/sudoers.d/vagrant
		chmod 0440 /etc/sudoers.d/vagrant
		systemctl enable systemd-networkd.service
	'
	install -m 0600 -o 1000 -g 1000 "$VAGRANT_PUB" "$root/home/vagrant/.ssh/authorized_keys"
	chown -R "$(chroot "$root" id -u vagrant):$(chroot "$root" id -g vagrant)" "$root/home/vagrant/.ssh"
	printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/50-dhcp.network"
	printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
	# Vagrant's guest detection and `hostname` need a resolvable name; no DNS in the box.
	grep -q "$(cat "$root/etc/hostname")" "$root/etc/hosts" ||
		printf '127.0.1.1\t%s\n' "$(cat "$root/etc/hostname")" >>"$root/etc/hosts"
	# UseDNS-style reverse lookups would stall every login without a resolver
	: >"$root/etc/resolv.conf"
	kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
	initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
	[[ -f $kernel && -f $initrd ]] || die "no kernel/initrd in the tree"
	cp "$kernel" "$tmp/vmlinuz"
	cp "$initrd" "$tmp/initrd.img"
	log "mkfs.ext4 -d (${SIZE_G}G, sparse)"
	mkfs.ext4 -q -L root -d "$root" "$tmp/box.raw" "${SIZE_G}G"
	qemu-img convert -O qcow2 "$tmp/box.raw" "$tmp/box.img"
	rm -f "$tmp/box.raw"
	printf '{"provider":"libvirt","format":"qcow2","virtual_size":%d}\n' "$SIZE_G" >"$tmp/metadata.json"
	tar -C "$tmp" -czf "$tmp/sshrepair-debian12.box" metadata.json box.img
	rm -rf --one-file-system "$root"
	# qemu runs as libvirt-qemu: it must be able to read the kernel and initrd
	chmod 0755 "$tmp"
	chmod 0644 "$tmp"/*
	mv -T "$tmp" "$OUT"
	log "box built: $OUT"
fi
ln -sfn "$OUT" "$CACHE/current"
if ! vagrant box list 2>/dev/null | grep -q "^$BOX_NAME .*libvirt" ||
	[[ $(cat "$CACHE/.added-$BOX_NAME-key" 2>/dev/null | tr -d '\n') != "$key" ]]; then
	log "vagrant box add --force --name $BOX_NAME"
	vagrant box add --force --name "$BOX_NAME" "$OUT/sshrepair-debian12.box" >&2
	mkdir -p "$(dirname "$CACHE/.added-$BOX_NAME-key")"
	echo "$key" >"$CACHE/.added-$BOX_NAME-key"
fi
echo "box=$BOX_NAME"
echo "kernel=$OUT/vmlinuz"
echo "initrd=$OUT/initrd.img"
