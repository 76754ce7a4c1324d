# shellcheck shell=bash
#
# tests/integration/lib.sh — throwaway booted Debian 12 containers for sshrepair's
# integration tests (see README.md in this folder and /work/shared/TESTBED.md).
#
#   source tests/integration/lib.sh
#   tb_rootfs                 # build or reuse the cached rootfs (root, ~1-2 min the first time)
#   tb_up NAME                # overlay + two netns + veth + boot; installs an EXIT trap
#   tb_install_binary PATH    # -> /usr/local/sbin/sshrepair in the container (before or after tb_up)
#   tb_exec CMD...            # run inside the container (all namespaces); rc/stdout/stderr pass through
#   tb_sh 'shell string'      # tb_exec /bin/sh -c '...'
#   tb_ssh [-6] [-p PORT] USER [CMD...]   # real login from the client namespace
#   tb_expect_login / tb_expect_no_login [-6] USER [PORT]   # print PASS/FAIL, return 0/1
#   tb_reboot                 # reboot the container (the overlay persists), wait until booted
#   tb_fingerprint            # stable text describing /etc/ssh, units and the ruleset
#   tb_poweroff / tb_boot     # stop the container keeping its tree / boot it again
#   tb_rescue CMD...          # run in a rescue container (not booted) with the stopped tree at /mnt/target
#   tb_tree_fingerprint [DIR...]   # the stopped tree's files (from the host)
#   tb_down [RC]              # tear everything down; idempotent; runs from the EXIT trap
#   tb_gc                     # tear down leftovers of runs that died (SIGKILL, meson timeout)
#
# One container per shell process: the state lives in TB_* globals. Run several
# containers at once from several processes, each with its own NAME.
# Everything must run as root. Every function works under `set -euo pipefail`.

# ---------------------------------------------------------------- configuration
TB_CACHE_DIR=${TB_CACHE_DIR:-/var/cache/sshrepair-tests}
TB_RUN_DIR=${TB_RUN_DIR:-/run/sshrepair-tests}
TB_MIRROR=${TB_MIRROR:-http://deb.debian.org/debian}
TB_SUITE=bookworm
# Bump when tb__customize changes in a way that needs a new rootfs (the cache key is
# sha256 of the package list + this string).
TB_RECIPE_VERSION="sshrepair-tests-rootfs-1"
TB_PACKAGES="systemd,systemd-sysv,dbus,openssh-server,openssh-client,nftables,iptables,ufw,iproute2,procps,libaugeas0,augeas-lenses,libnftnl11,libmnl0,libsystemd0,sudo,kmod"
TB_BOOT_TIMEOUT=${TB_BOOT_TIMEOUT:-60}
TB_STOP_TIMEOUT=${TB_STOP_TIMEOUT:-15}
TB_GUEST_HOSTNAME=srt-guest
# Addresses: TEST-NET-1 / 2001:db8::/32 only, and only inside our own namespaces.
TB_SERVER4=192.0.2.2
TB_CLIENT4=192.0.2.1
TB_SERVER6=2001:db8::2
TB_CLIENT6=2001:db8::1
TB_GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Runtime state (one container per process).
TB_ROOTFS=${TB_ROOTFS:-}
TB_KEY=${TB_KEY:-$TB_CACHE_DIR/keys/id_ed25519}
TB_NAME=""
TB_DIR=""
TB_NS_S=""
TB_NS_C=""
TB_NSPAWN_PID=""
TB_PID1=""
TB_LOCK_FD=""
TB_BINARY=""
TB_T0=$SECONDS

# ---------------------------------------------------------------- small helpers
tb_log() { printf '[tb %3ds] %s\n' "$((SECONDS - TB_T0))" "$*" >&2; }
tb_die() { printf '[tb] ERROR: %s\n' "$*" >&2; exit 1; }

# tb__hash STRING... -> first 12 (TB_HASH_LEN) hex digits of sha256 of the arguments, one per line
tb__hash() { printf '%s\n' "$@" | sha256sum | cut -c1-"${TB_HASH_LEN:-12}"; }

# tb__nolock CMD...: run CMD without our per-name lock fd. Anything that inherits it
# (nspawn, nsenter'd guest processes, ssh, the detached teardown) would keep the name
# locked after we are gone.
tb__nolock() {
	if [[ -n $TB_LOCK_FD ]]; then
		"$@" {TB_LOCK_FD}>&-
	else
		"$@"
	fi
}

tb__need_root() {
	[[ $(id -u) -eq 0 ]] || tb_die "must run as root (containers, namespaces, mounts)"
}

# tb__alive PID -> 0 if PID is a live (non-zombie) process
tb__alive() {
	local pid=${1:-} state
	[[ -n $pid && -r /proc/$pid/stat ]] || return 1
	state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]]
}

# tb__wait_gone PID SECONDS -> 0 if PID exited within SECONDS
tb__wait_gone() {
	local pid=$1 deadline=$((SECONDS + $2))
	while tb__alive "$pid"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
	return 0
}

# ---------------------------------------------------------------- rootfs
# tb_rootfs: sets TB_ROOTFS and TB_KEY, building the rootfs (and the client key)
# once. Parallel callers wait on a flock instead of building twice.
tb_rootfs() {
	tb__need_root
	local key
	key=$(tb__hash "$TB_PACKAGES" "$TB_RECIPE_VERSION")
	TB_ROOTFS=$TB_CACHE_DIR/rootfs-$key
	TB_KEY=$TB_CACHE_DIR/keys/id_ed25519
	if [[ ! -d $TB_ROOTFS || ! -f $TB_KEY ]]; then
		mkdir -p "$TB_CACHE_DIR"
		local rc=0
		(
			exec 9>"$TB_CACHE_DIR/.lock"
			if ! flock -n 9; then
				tb_log "waiting for another process that builds $TB_ROOTFS"
				flock 9
			fi
			tb__ensure_key
			[[ -d $TB_ROOTFS ]] || tb__build_rootfs
		) || rc=$?
		((rc == 0)) || tb_die "building the rootfs failed (rc=$rc)"
	fi
	# The rootfs must trust the key we log in with; they are built together, but a
	# deleted keys/ directory would otherwise give a baffling "Permission denied".
	cmp -s "$TB_KEY.pub" "$TB_ROOTFS/root/.ssh/authorized_keys" ||
		tb_die "$TB_ROOTFS was built for another client key than $TB_KEY.pub; delete $TB_ROOTFS (or restore the key) and retry"
	# A scenario may ask for a variant (ROOTFS_VARIANT=firewalld): built from the base.
	if [[ -n ${ROOTFS_VARIANT:-} ]]; then tb__rootfs_variant "$ROOTFS_VARIANT"; fi
	return 0
}

# ---------------------------------------------------------------- rootfs variants
# A variant is the base rootfs plus packages that cannot be in debootstrap's --include,
# cached beside it under a key of the base key + the variant's recipe. The base rootfs
# and its key never change because of a variant.
#   firewalld: + firewalld and fail2ban (with python3-systemd for its journal backend),
#   both installed but disabled and stopped; fail2ban's sshd jail reads the journal
#   (Debian 12 without rsyslog has no auth.log). Scenarios enable what they need.
#   cloudinit: + Debian's cloud-init (no recommends), network config disabled (the
#   harness made the network) and the locale module off (minbase has no locales),
#   otherwise Debian's defaults: ds-identify enables it only
#   at a boot that finds a datasource (a NoCloud seed in /var/lib/cloud/seed/nocloud).
# Per variant: TB_VARIANT_RECIPE_x (bump when anything below changes for x),
# TB_VARIANT_PACKAGES_x, optional TB_VARIANT_APT_x (apt-get install options) and an
# optional function tb__variant_post_x ROOT run after the install.
# shellcheck disable=SC2034 # read through ${!name} in tb__rootfs_variant
TB_VARIANT_RECIPE_firewalld="sshrepair-tests-variant-firewalld-1"
# shellcheck disable=SC2034
TB_VARIANT_PACKAGES_firewalld="firewalld fail2ban python3-systemd"
# shellcheck disable=SC2034
TB_VARIANT_RECIPE_cloudinit="sshrepair-tests-variant-cloudinit-2"
# shellcheck disable=SC2034
TB_VARIANT_PACKAGES_cloudinit="cloud-init"
# shellcheck disable=SC2034
TB_VARIANT_APT_cloudinit="--no-install-recommends"

tb__variant_post_firewalld() {
	[[ -d $1/etc/fail2ban ]] || tb_die "the firewalld variant has no /etc/fail2ban"
	printf '[DEFAULT]\nbackend = systemd\n\n[sshd]\nenabled = true\n' >"$1/etc/fail2ban/jail.d/sshrepair-tests.local"
}

tb__variant_post_cloudinit() {
	[[ -d $1/etc/cloud/cloud.cfg.d ]] || tb_die "the cloudinit variant has no /etc/cloud/cloud.cfg.d"
	printf '%s\n' '# sshrepair tests: the test harness configured the network of this container' \
		'network: {config: disabled}' \
		'# minbase has no "locales" (update-locale), which the locale module runs' \
		'locale: false' >"$1/etc/cloud/cloud.cfg.d/90-sshrepair-tests.cfg"
}

tb__rootfs_variant() {
	local variant=$1 recipe_var pkgs_var apt_var base=$TB_ROOTFS key dir
	[[ $variant =~ ^[a-z0-9]+$ ]] || tb_die "bad ROOTFS_VARIANT '$variant'"
	recipe_var=TB_VARIANT_RECIPE_$variant
	pkgs_var=TB_VARIANT_PACKAGES_$variant
	apt_var=TB_VARIANT_APT_$variant
	[[ -n ${!recipe_var:-} ]] || tb_die "unknown ROOTFS_VARIANT '$variant'"
	# (the apt options join the key only when set: the firewalld key stays what it was)
	key=$(tb__hash "$(basename "$base")" "${!recipe_var}" "${!pkgs_var}" ${!apt_var:+"${!apt_var}"})
	dir=$TB_CACHE_DIR/rootfs-$variant-$key
	if [[ ! -d $dir ]]; then
		local rc=0
		(
			exec 9>"$TB_CACHE_DIR/.lock-$variant"
			if ! flock -n 9; then
				tb_log "waiting for another process that builds $dir"
				flock 9
			fi
			[[ -d $dir ]] || tb__build_variant "$variant" "$base" "$dir" "${!pkgs_var}" "${!apt_var:-}"
		) || rc=$?
		((rc == 0)) || tb_die "building the rootfs variant '$variant' failed (rc=$rc)"
	fi
	TB_ROOTFS=$dir
}

# Called with the variant's lock held.
tb__build_variant() {
	local variant=$1 base=$2 dir=$3 pkgs=$4 aptopts=$5 tmp t0=$SECONDS
	{ tmp=$(mktemp -d "$TB_CACHE_DIR/.variant-XXXXXX") && [[ -d $tmp ]]; } || tb_die "mktemp in $TB_CACHE_DIR failed"
	tb_log "building $dir from $base (+ $pkgs; log: $tmp/apt.log)"
	cp -a "$base" "$tmp/root" || tb_die "copying $base failed"
	# shellcheck disable=SC2086,SC2016 # the lists are split on purpose; $@ is the guest's
	if ! systemd-nspawn -q -D "$tmp/root" --register=no --keep-unit --resolv-conf=copy-host \
		/bin/sh -ec 'export DEBIAN_FRONTEND=noninteractive; apt-get update; apt-get install -y "$@"
			systemctl disable firewalld.service fail2ban.service 2>/dev/null || true
			apt-get clean' sh $aptopts $pkgs >"$tmp/apt.log" 2>&1; then
		tail -n 40 "$tmp/apt.log" >&2 || true
		tb_die "installing '$pkgs' into the variant failed (kept $tmp)"
	fi
	if declare -F "tb__variant_post_$variant" >/dev/null; then "tb__variant_post_$variant" "$tmp/root"; fi
	mv -T "$tmp/root" "$dir" || tb_die "renaming $tmp/root to $dir failed"
	rm -rf --one-file-system "$tmp"
	tb_log "rootfs variant ready in $((SECONDS - t0)) s: $dir"
}

tb__ensure_key() {
	[[ -f $TB_KEY && -f $TB_KEY.pub ]] && return 0
	local dir tmp
	dir=$(dirname "$TB_KEY")
	install -d -m 0700 "$dir" || tb_die "cannot create $dir"
	{ tmp=$(mktemp -d "$dir/.new-XXXXXX") && [[ -d $tmp ]]; } || tb_die "mktemp in $dir failed"
	ssh-keygen -q -t ed25519 -N '' -C sshrepair-tests -f "$tmp/key" || tb_die "ssh-keygen failed"
	{
		chmod 0600 "$tmp/key" && mv -f "$tmp/key.pub" "$TB_KEY.pub" &&
			mv -f "$tmp/key" "$TB_KEY" && rmdir "$tmp"
	} || tb_die "storing the client key as $TB_KEY failed"
	tb_log "created client key $TB_KEY"
}

# Called with the cache lock held: any .build-* directory is a leftover of a killed build.
tb__build_rootfs() {
	local tmp t0=$SECONDS stale m
	for stale in "$TB_CACHE_DIR"/.build-*; do
		[[ -e $stale ]] || continue
		tb_log "removing stale build directory $stale"
		# A killed debootstrap can leave /proc, /sys ... mounted in its target.
		findmnt -rn -o TARGET | grep -F "$stale/" | sort -r | while IFS= read -r m; do
			umount -l "$m" || true
		done
		rm -rf --one-file-system "$stale"
	done
	# Guard every step: this runs in a subshell where `set -e` may be off, and an empty
	# $tmp would make debootstrap write into /root.
	{ tmp=$(mktemp -d "$TB_CACHE_DIR/.build-XXXXXX") && [[ -d $tmp ]]; } || tb_die "mktemp in $TB_CACHE_DIR failed"
	tb_log "building $TB_ROOTFS with debootstrap (takes a minute or two; log: $tmp/debootstrap.log)"
	if ! debootstrap --variant=minbase --include="$TB_PACKAGES" "$TB_SUITE" "$tmp/root" "$TB_MIRROR" \
		>"$tmp/debootstrap.log" 2>&1; then
		tail -n 40 "$tmp/debootstrap.log" >&2 || true
		[[ -f $tmp/root/debootstrap/debootstrap.log ]] && tail -n 40 "$tmp/root/debootstrap/debootstrap.log" >&2
		tb_die "debootstrap failed (kept $tmp for inspection; it is removed by the next build)"
	fi
	tb__customize "$tmp/root"
	mv -T "$tmp/root" "$TB_ROOTFS" || tb_die "renaming $tmp/root to $TB_ROOTFS failed" # rename(2): atomic
	rm -rf --one-file-system "$tmp"
	tb_log "rootfs ready in $((SECONDS - t0)) s: $TB_ROOTFS"
}

tb__customize() {
	local root=$1
	[[ -n $root && $root != / && -d $root/etc ]] || tb_die "tb__customize: bad root '$root'"
	printf '%s\n' "$TB_GUEST_HOSTNAME" >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		"$TB_GUEST_HOSTNAME" >"$root/etc/hosts"
	# A fixed machine-id: with an empty one every container would be a "first boot",
	# and systemd would run preset-all and enable units behind the scenarios' backs.
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
	echo >>"$root/etc/machine-id"
	# shellcheck disable=SC2016 # expanded by the chroot's shell
	chroot "$root" /bin/sh -eu -c '
		pub=$1
		groupadd -f sshusers
		for u in alice bob; do
			id -u "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group "$u"
			# "*": no password, but not "locked" ("!"), which sshd refuses when UsePAM=no
			usermod -p "*" "$u"
		done
		for h in /root /home/alice /home/bob; do
			o=$(stat -c %u "$h"); g=$(stat -c %g "$h")
			install -d -m 0700 -o "$o" -g "$g" "$h/.ssh"
			printf "%s\n" "$pub" >"$h/.ssh/authorized_keys"
			chown "$o:$g" "$h/.ssh/authorized_keys"
			chmod 0600 "$h/.ssh/authorized_keys"
		done
		ssh-keygen -A
		systemctl enable ssh.service
		# The base image has no firewall active; scenarios enable what they need.
		systemctl disable nftables.service ufw.service 2>/dev/null || true
		sed -i "s/^ENABLED=.*/ENABLED=no/" /etc/ufw/ufw.conf
		# Useless or slow in a throwaway container.
		for u in systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer \
			dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
			systemd-networkd-wait-online.service; do
			if [ -e "/lib/systemd/system/$u" ]; then systemctl mask "$u"; fi
		done
	' sh "$(cat "$TB_KEY.pub")" || tb_die "customizing the rootfs failed"
}

# ---------------------------------------------------------------- up / boot
# tb__names NAME: derive the per-test names. netns names get the readable test name
# when short; veth names live inside our namespaces (created there directly), so they
# can be eth0 on both sides without colliding with anything.
tb__names() {
	local name=$1 short
	if [[ ${#name} -le 16 ]]; then short=$name; else short=${name:0:11}-$(TB_HASH_LEN=4 tb__hash "$name"); fi
	TB_NAME=$name
	TB_DIR=$TB_RUN_DIR/$name
	TB_NS_S=srt-$short-s
	TB_NS_C=srt-$short-c
}

tb_up() {
	tb__need_root
	local name=${1:-}
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || tb_die "tb_up: bad or missing NAME '${name}'"
	[[ -z $TB_DIR ]] || tb_die "tb_up: this process already runs container '$TB_NAME'"
	[[ -n $TB_ROOTFS && -d $TB_ROOTFS ]] || tb_rootfs
	tb__names "$name"
	mkdir -p "$TB_RUN_DIR"
	exec {TB_LOCK_FD}>"$TB_RUN_DIR/$name.lock"
	if ! flock -n "$TB_LOCK_FD"; then
		tb_log "waiting (max 60 s) for another run that uses the name '$name'"
		flock -w 60 "$TB_LOCK_FD" || { TB_DIR=""; tb_die "the name '$name' is in use by another run"; }
	fi
	trap 'tb__on_exit' EXIT
	trap 'tb__on_signal 130' INT
	trap 'tb__on_signal 143' TERM
	trap 'tb__on_signal 129' HUP
	# Leftovers of a run that died without teardown.
	if [[ -e $TB_DIR ]] || ip netns list | grep -qE "^($TB_NS_S|$TB_NS_C)( |\$)"; then
		tb_log "cleaning up leftovers of an earlier run of '$name'"
		tb__teardown
	fi

	tb_log "up '$name': dir $TB_DIR, netns $TB_NS_S (server) / $TB_NS_C (client)"
	mkdir -p "$TB_DIR/upper" "$TB_DIR/work" "$TB_DIR/merged" || tb_die "cannot create $TB_DIR"
	mount -t overlay "srt-$name" \
		-o "lowerdir=$TB_ROOTFS,upperdir=$TB_DIR/upper,workdir=$TB_DIR/work" "$TB_DIR/merged" ||
		tb_die "mounting the overlay on $TB_DIR/merged failed"
	[[ -z $TB_BINARY ]] || tb__copy_binary

	ip netns add "$TB_NS_C" || tb_die "creating the network namespace $TB_NS_C failed"
	tb__net_server
	tb__boot
}

# tb__net_server: a fresh server namespace and veth pair (the client side keeps its
# namespace; its end of the old pair went with the old server namespace). Called before
# every boot but the first too (tb_reboot, tb_boot): a real reboot starts with an empty
# kernel ruleset, no conntrack entries and the addresses its configuration gives, while
# a namespace kept across boots would keep the old boot's firewall (ufw-init, for one,
# then says "already started" and does not load its files).
tb__net_server() {
	if [[ -e /run/netns/$TB_NS_S ]]; then
		# Delete the old pair first, synchronously: the kernel destroys a namespace (and
		# the veth in it) asynchronously, after `ip netns del` has returned.
		ip -n "$TB_NS_C" link del eth0 2>/dev/null || true
		ip netns del "$TB_NS_S" || tb_die "deleting the old server namespace $TB_NS_S failed"
	fi
	ip netns add "$TB_NS_S" || tb_die "creating the network namespace $TB_NS_S failed"
	ip link add name eth0 netns "$TB_NS_S" type veth peer name eth0 netns "$TB_NS_C" ||
		tb_die "creating the veth pair failed"
	{
		ip -n "$TB_NS_S" addr add "$TB_SERVER4/24" dev eth0 &&
			ip -n "$TB_NS_S" addr add "$TB_SERVER6/64" dev eth0 nodad &&
			ip -n "$TB_NS_C" addr add "$TB_CLIENT4/24" dev eth0 &&
			ip -n "$TB_NS_C" addr add "$TB_CLIENT6/64" dev eth0 nodad &&
			ip -n "$TB_NS_S" link set lo up && ip -n "$TB_NS_S" link set eth0 up &&
			ip -n "$TB_NS_C" link set lo up && ip -n "$TB_NS_C" link set eth0 up
	} || tb_die "configuring the veth pair failed"
}

# tb__boot: start systemd-nspawn on the merged dir (detached, own session so that a
# Ctrl-C or meson's killpg of the test does not hit it) and wait for boot to finish.
tb__boot() {
	local log=$TB_DIR/nspawn.log
	printf -- '---- boot at %s\n' "$(date '+%F %T')" >>"$log"
	# --machine: nspawn names its runtime files (/run/systemd/nspawn/propagate/NAME) after
	# the machine, which defaults to the directory's basename: "merged" for every test.
	setsid systemd-nspawn -q -D "$TB_DIR/merged" --machine="srt-$(TB_HASH_LEN=8 tb__hash "$TB_NAME")" \
		--register=no --keep-unit --network-namespace-path="/run/netns/$TB_NS_S" \
		--capability=CAP_NET_ADMIN,CAP_NET_RAW \
		--link-journal=no --resolv-conf=off --timezone=off -b \
		</dev/null >>"$log" 2>&1 {TB_LOCK_FD}>&- &
	TB_NSPAWN_PID=$!
	TB_PID1=""
	echo "$TB_NSPAWN_PID" >"$TB_DIR/nspawn.pid"

	local deadline=$((SECONDS + TB_BOOT_TIMEOUT)) state="" left
	while :; do
		if ! tb__alive "$TB_NSPAWN_PID"; then
			tail -n 30 "$log" >&2 || true
			tb_die "systemd-nspawn exited during boot (log above, full log $log)"
		fi
		if [[ -z $TB_PID1 ]]; then
			TB_PID1=$(tb__find_pid1 "$TB_NSPAWN_PID") || TB_PID1=""
		fi
		left=$((deadline - SECONDS))
		if [[ -n $TB_PID1 ]] && ((left > 0)); then
			state=$(timeout "$left" nsenter -t "$TB_PID1" -a systemctl is-system-running --wait 2>/dev/null) || true
			case $state in
			running) break ;;
			degraded)
				tb_log "container is degraded; failed units:"
				nsenter -t "$TB_PID1" -a systemctl --failed --no-legend --no-pager >&2 || true
				break
				;;
			esac
		fi
		if ((SECONDS >= deadline)); then
			[[ -z $TB_PID1 ]] || state=$(timeout 5 nsenter -t "$TB_PID1" -a systemctl is-system-running 2>/dev/null) || true
			tb_log "boot did not finish within $TB_BOOT_TIMEOUT s (state '${state:-unknown}', PID 1 '${TB_PID1:-not found}')"
			if [[ -n $TB_PID1 ]]; then
				nsenter -t "$TB_PID1" -a systemctl list-jobs --no-pager >&2 || true
			fi
			tail -n 30 "$log" >&2 || true
			tb_die "container '$TB_NAME' did not boot within $TB_BOOT_TIMEOUT s"
		fi
		sleep 0.2
	done
	tb_log "container '$TB_NAME' is up ($state), nspawn pid $TB_NSPAWN_PID, systemd pid $TB_PID1"
}

# tb__find_pid1 NSPAWN_PID: the container's init is the descendant of nspawn that is
# PID 1 in its own PID namespace. (TESTBED.md says "child of nspawn's child"; with
# systemd 252 here it was a direct child of nspawn. Matching on NSpid works for both.)
tb__find_pid1() {
	local queue=("$1") p c nspid
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for c in $(tb__children "$p"); do
			nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$c/status" 2>/dev/null) || nspid=""
			if [[ $nspid == 1 ]] && [[ $(awk '/^NSpid:/ { print NF }' "/proc/$c/status" 2>/dev/null) -gt 2 ]]; then
				echo "$c"
				return 0
			fi
			queue+=("$c")
		done
	done
	return 1
}

# tb__children PID: the child processes of PID (from /proc: no procps needed).
tb__children() {
	local f line rest
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest=${line##*) } # after the command name, which may contain ") "
		rest=${rest#* }   # drop the state field
		[[ ${rest%% *} == "$1" ]] && { f=${f#/proc/}; echo "${f%/stat}"; }
	done
	return 0
}

# tb__pid1: make sure TB_PID1 is current (it changes on reboot, possibly in a subshell).
tb__pid1() {
	[[ -n $TB_DIR ]] || tb_die "no container: call tb_up first"
	if ! tb__alive "$TB_PID1"; then
		TB_PID1=""
		if [[ -z $TB_NSPAWN_PID ]] || ! tb__alive "$TB_NSPAWN_PID"; then
			TB_NSPAWN_PID=$(cat "$TB_DIR/nspawn.pid" 2>/dev/null) || TB_NSPAWN_PID=""
		fi
		tb__alive "$TB_NSPAWN_PID" && TB_PID1=$(tb__find_pid1 "$TB_NSPAWN_PID") || TB_PID1=""
		[[ -n $TB_PID1 ]] || tb_die "container '$TB_NAME' is not running"
	fi
}

# ---------------------------------------------------------------- binary
tb_install_binary() {
	local src=${1:-}
	[[ -f $src && -x $src ]] || tb_die "tb_install_binary: '$src' is not an executable file"
	TB_BINARY=$(realpath "$src")
	# Before tb_up: remembered and copied right after the overlay is mounted.
	if [[ -n $TB_DIR ]] && mountpoint -q "$TB_DIR/merged"; then tb__copy_binary; fi
	return 0
}

tb__copy_binary() {
	install -D -m 0755 -o root -g root "$TB_BINARY" "$TB_DIR/merged/usr/local/sbin/sshrepair"
	tb_log "installed $TB_BINARY as /usr/local/sbin/sshrepair"
}

# ---------------------------------------------------------------- run inside
# tb_exec CMD...: all namespaces of the container's PID 1, a clean environment;
# stdin, stdout, stderr and the exit code pass through.
tb_exec() {
	(($#)) || tb_die "tb_exec: no command"
	tb__pid1
	tb__nolock nsenter -t "$TB_PID1" -a \
		env -i PATH="$TB_GUEST_PATH" HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb "$@"
}

tb_sh() {
	(($#)) || tb_die "tb_sh: no shell string"
	tb_exec /bin/sh -c "$@"
}

# ---------------------------------------------------------------- logins
# tb_ssh [-4|-6] [-p PORT] USER [CMD...]: a real login from the client namespace,
# through the container's network stack and firewall. Returns ssh's exit code
# (255 = no connection/login; 124 = hung and killed after 30 s).
tb_ssh() {
	local host=$TB_SERVER4 port=${PORT:-22} OPTIND=1 opt
	while getopts 46p: opt; do
		case $opt in
		4) host=$TB_SERVER4 ;;
		6) host=$TB_SERVER6 ;;
		p) port=$OPTARG ;;
		*) tb_die "tb_ssh: usage: tb_ssh [-4|-6] [-p PORT] USER [CMD...]" ;;
		esac
	done
	shift $((OPTIND - 1))
	local user=${1:-}
	[[ -n $user ]] || tb_die "tb_ssh: no USER"
	shift
	[[ -n $TB_NS_C ]] || tb_die "no container: call tb_up first"
	# -F /dev/null: the host's ssh_config (SendEnv LANG ...) must not leak in.
	tb__nolock timeout 30 ip netns exec "$TB_NS_C" ssh -F /dev/null -n -i "$TB_KEY" \
		-o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
		-o ConnectTimeout=4 -o LogLevel=ERROR -p "$port" "$user@$host" "${@:-true}"
}

# tb_expect_login [-4|-6] USER [PORT] / tb_expect_no_login [-4|-6] USER [PORT]
tb_expect_login() { tb__expect_login yes "$@"; }
tb_expect_no_login() { tb__expect_login no "$@"; }

tb__expect_login() {
	local want=$1 fam=-4
	shift
	case ${1:-} in -4 | -6) fam=$1 && shift ;; esac
	local user=${1:-} port=${2:-${PORT:-22}} rc=0 err what
	[[ -n $user ]] || tb_die "expect_login: no USER"
	what="login $user@$([[ $fam == -6 ]] && echo "[$TB_SERVER6]" || echo "$TB_SERVER4") port $port"
	err=$(tb_ssh "$fam" -p "$port" "$user" true 2>&1 >/dev/null) || rc=$?
	err=${err//$'\r'/}
	if [[ $want == yes ]]; then
		if ((rc == 0)); then
			echo "PASS: $what works"
			return 0
		fi
		echo "FAIL: $what should work but ssh exited $rc: ${err:-(no message)}"
		return 1
	fi
	if ((rc == 255)); then
		echo "PASS: $what fails as expected: ${err:-(no message)}"
		return 0
	fi
	if ((rc == 0)); then
		echo "FAIL: $what should fail but it works"
	else
		echo "FAIL: $what should fail with an ssh error (255) but ssh exited $rc: ${err:-(no message)}"
	fi
	return 1
}

# ---------------------------------------------------------------- reboot
tb_reboot() {
	tb__pid1
	tb_log "rebooting '$TB_NAME'"
	tb_exec systemctl reboot >/dev/null 2>&1 || true
	if ! tb__wait_gone "$TB_NSPAWN_PID" "$TB_STOP_TIMEOUT"; then
		tb_log "container did not stop within $TB_STOP_TIMEOUT s after 'systemctl reboot'; killing it"
		tb__kill_container
	fi
	tb__net_server
	tb__boot
}

# ---------------------------------------------------------------- offline (--root)
# tb_poweroff, tb_boot, tb_rescue_up, tb_rescue, tb_tree_fingerprint ...: in lib-offline.sh.
# shellcheck source-path=SCRIPTDIR source=lib-offline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-offline.sh"

# ---------------------------------------------------------------- fingerprint
# tb_fingerprint: text that changes iff something a repair could touch changed:
# every file under /etc/ssh, /etc/systemd/system and /etc/ufw (owner, mode, type,
# sha256 or link target), ssh.service/ssh.socket enabled+active, `nft -s list ruleset`
# (-s: without counters, which every probe changes). Collected inside the container.
tb_fingerprint() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	tb_sh '
		for d in /etc/ssh /etc/systemd/system /etc/ufw; do
			[ -e "$d" ] || continue
			find "$d" -xdev | LC_ALL=C sort | while IFS= read -r f; do
				if [ -L "$f" ]; then t="-> $(readlink "$f")"
				elif [ -f "$f" ]; then t=$(sha256sum <"$f" | cut -d" " -f1)
				else t=-; fi
				printf "%s %s %s\n" "$f" "$(stat -c "%U:%G %a %F" "$f")" "$t"
			done
		done
		for u in ssh.service ssh.socket; do
			printf "%s is-enabled=%s is-active=%s\n" "$u" \
				"$(systemctl is-enabled "$u" 2>&1)" "$(systemctl is-active "$u" 2>&1)"
		done
		echo "nft -s list ruleset:"
		nft -s list ruleset 2>&1
	'
}

# tb_expect_fingerprint SAVED [WHAT]: compare the current fingerprint with SAVED.
tb_expect_fingerprint() {
	local saved=$1 what=${2:-state} now
	now=$(tb_fingerprint)
	if [[ $now == "$saved" ]]; then
		echo "PASS: $what unchanged (fingerprint equal)"
		return 0
	fi
	echo "FAIL: $what changed; diff saved -> now:"
	diff -u <(printf '%s\n' "$saved") <(printf '%s\n' "$now") | tail -n +3 | sed 's/^/    /' || true
	return 1
}

# ---------------------------------------------------------------- teardown
tb__on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	set +e
	tb_down "$rc"
	exit "$rc"
}

# On a signal, do not risk being SIGKILLed half-way (meson sends SIGTERM, then SIGKILL
# to the test's process group 0.5 s later): hand the teardown to a detached process
# that waits for our lock, i.e. for us to be gone.
tb__on_signal() {
	local rc=$1
	trap - EXIT INT TERM HUP
	if [[ -n $TB_DIR ]]; then
		tb_log "signal: tearing down '$TB_NAME' in the background (log $TB_RUN_DIR/$TB_NAME.teardown.log)"
		# Release the lock first: the detached process takes it over (and gives up if a
		# new run of this name got it first: that run cleans up leftovers itself).
		if [[ -n $TB_LOCK_FD ]]; then exec {TB_LOCK_FD}>&-; fi
		TB_LOCK_FD=""
		# shellcheck disable=SC2016 # expanded by the detached bash
		TB_RUN_DIR=$TB_RUN_DIR setsid bash -c 'source "$1"; flock -w 30 9 || exit 0; tb__names "$2"; tb__teardown; tb_log "teardown of $2 done"' \
			tb-teardown "${BASH_SOURCE[0]}" "$TB_NAME" \
			9>"$TB_RUN_DIR/$TB_NAME.lock" </dev/null >"$TB_RUN_DIR/$TB_NAME.teardown.log" 2>&1 &
	fi
	exit "$rc"
}

# tb_down [RC]: stop the container, unmount, delete namespaces, remove the temp dir.
# With RC != 0, first print debugging help from inside the container.
tb_down() {
	local rc=${1:-0}
	[[ -n $TB_DIR ]] || return 0
	if ((rc != 0)) && [[ $rc != 77 ]]; then
		tb__debug_dump || true
		# the caller's own debugging help (run-case.sh: sanitizer reports), while the
		# container's tree is still there
		if declare -F tb_case_debug_hook >/dev/null; then tb_case_debug_hook || true; fi
	fi
	tb__teardown
	if [[ -n $TB_LOCK_FD ]]; then
		exec {TB_LOCK_FD}>&-
		TB_LOCK_FD=""
	fi
	TB_DIR="" TB_NAME="" TB_NS_S="" TB_NS_C="" TB_NSPAWN_PID="" TB_PID1=""
	trap - EXIT INT TERM HUP
	return 0
}

tb__debug_dump() {
	local pid1=""
	TB_NSPAWN_PID=${TB_NSPAWN_PID:-$(cat "$TB_DIR/nspawn.pid" 2>/dev/null || true)}
	tb__alive "$TB_PID1" && pid1=$TB_PID1
	[[ -n $pid1 ]] || { tb__alive "$TB_NSPAWN_PID" && pid1=$(tb__find_pid1 "$TB_NSPAWN_PID"); } || pid1=""
	if [[ -z $pid1 ]] && mountpoint -q "$TB_DIR/rescue/merged" 2>/dev/null; then
		echo "---- (the target is powered off: offline phase; boot log in $TB_DIR/nspawn.log)"
		return 0
	fi
	if [[ -z $pid1 ]]; then
		echo "---- (container not running; last lines of $TB_DIR/nspawn.log)"
		tail -n 20 "$TB_DIR/nspawn.log" 2>/dev/null || true
		return 0
	fi
	echo "---- debugging help: journalctl -u ssh -n 40 (inside the container)"
	timeout 20 nsenter -t "$pid1" -a journalctl -u ssh -n 40 --no-pager 2>&1 || true
	echo "---- systemctl --failed"
	timeout 20 nsenter -t "$pid1" -a systemctl --failed --no-legend --no-pager 2>&1 || true
	echo "---- end of debugging help"
}

# tb__kill_container: SIGKILL the container's PID 1 (which takes every process of its PID
# namespace with it) and nspawn.
tb__kill_container() {
	local pid1
	pid1=$(tb__find_pid1 "$TB_NSPAWN_PID" 2>/dev/null) || pid1=""
	[[ -n $pid1 ]] && kill -KILL "$pid1" 2>/dev/null
	kill -TERM "$TB_NSPAWN_PID" 2>/dev/null || true
	tb__wait_gone "$TB_NSPAWN_PID" 5 || kill -KILL "$TB_NSPAWN_PID" 2>/dev/null || true
	tb__wait_gone "$TB_NSPAWN_PID" 5 || tb_log "WARNING: systemd-nspawn $TB_NSPAWN_PID does not die"
}

# tb__teardown: needs only TB_NAME/TB_DIR/TB_NS_* (tb__names), so it also cleans up
# after a process that died. Never fails; warns about what it could not clean.
tb__teardown() {
	local pid merged=$TB_DIR/merged i
	pid=$(cat "$TB_DIR/nspawn.pid" 2>/dev/null) || pid=""
	# Only trust the pid file if it still names our nspawn (pids get reused).
	if [[ -n $pid ]] && tb__alive "$pid" &&
		[[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *systemd-nspawn*"$merged"* ]]; then
		TB_NSPAWN_PID=$pid
		local pid1
		pid1=$(tb__find_pid1 "$pid") || pid1=""
		if [[ -n $pid1 ]]; then
			timeout 10 nsenter -t "$pid1" -a systemctl poweroff >/dev/null 2>&1 || true
		fi
		if ! tb__wait_gone "$pid" "$TB_STOP_TIMEOUT"; then
			tb_log "container did not power off within $TB_STOP_TIMEOUT s; killing it"
			tb__kill_container
		fi
	fi
	# the rescue overlay (offline scenarios); its nspawn runs in the foreground only
	if mountpoint -q "$TB_DIR/rescue/merged" 2>/dev/null; then
		umount "$TB_DIR/rescue/merged" 2>/dev/null || umount -l "$TB_DIR/rescue/merged" || true
	fi
	if mountpoint -q "$merged" 2>/dev/null; then
		for i in 1 2 3 4 5 6 7 8 9 10; do
			umount "$merged" 2>/dev/null && break
			sleep 0.3
		done
		if mountpoint -q "$merged"; then
			tb_log "overlay busy, lazy unmount of $merged"
			umount -l "$merged" || true
		fi
	fi
	for i in "$TB_NS_S" "$TB_NS_C"; do
		[[ -n $i && -e /run/netns/$i ]] && { ip netns del "$i" || tb_log "WARNING: could not delete netns $i"; }
	done
	if [[ -n $TB_DIR && -d $TB_DIR ]]; then
		if mountpoint -q "$merged" 2>/dev/null || mountpoint -q "$TB_DIR/rescue/merged" 2>/dev/null; then
			tb_log "WARNING: $merged or $TB_DIR/rescue/merged still mounted; keeping $TB_DIR"
		else
			rm -rf --one-file-system "$TB_DIR"
		fi
	fi
	return 0
}

# tb_gc: tear down every instance whose owner is gone (its lock is free).
tb_gc() {
	tb__need_root
	local d name
	[[ -d $TB_RUN_DIR ]] || return 0
	for d in "$TB_RUN_DIR"/*/; do
		[[ -d $d ]] || continue
		name=$(basename "$d")
		(
			exec 9>"$TB_RUN_DIR/$name.lock"
			flock -n 9 || exit 0
			tb_log "gc: tearing down leftovers of '$name'"
			tb__names "$name"
			tb__teardown
		)
	done
	return 0
}
