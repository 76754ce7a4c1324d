# shellcheck shell=bash
#
# tests/integration/lib-offline.sh — the offline (--root) part of the container harness,
# sourced by lib.sh (uses its TB_* state and helpers). See README.md in this folder.
#
# ---------------------------------------------------------------- offline (--root)
# The target container can be powered off with its overlay kept ($TB_DIR/merged), and a
# separate *rescue* container -- another throwaway overlay of the same rootfs, with the
# binary installed, never booted -- runs commands with the stopped tree bound at
# $TB_RESCUE_TARGET: sshrepair never runs against the host, and nothing of the target
# runs while it acts on the tree. tb_boot boots the target again.
TB_RESCUE_TARGET=/mnt/target

# tb_poweroff: stop the target (poweroff, kill after TB_STOP_TIMEOUT), keep its overlay.
tb_poweroff() {
	tb__pid1
	tb_log "powering off '$TB_NAME' (its tree stays)"
	tb_exec systemctl poweroff >/dev/null 2>&1 || true
	if ! tb__wait_gone "$TB_NSPAWN_PID" "$TB_STOP_TIMEOUT"; then
		tb_log "container did not stop within $TB_STOP_TIMEOUT s after 'systemctl poweroff'; killing it"
		tb__kill_container
	fi
	# shellcheck disable=SC2034 # lib.sh's state
	TB_PID1=""
}

# tb_boot: boot the stopped target again on the same overlay and namespaces.
tb_boot() {
	[[ -n $TB_DIR ]] || tb_die "no container: call tb_up first"
	! tb__alive "$(cat "$TB_DIR/nspawn.pid" 2>/dev/null)" || tb_die "tb_boot: '$TB_NAME' is running"
	tb__net_server
	tb__boot
}

# tb_rescue_up: mount the rescue overlay ($TB_DIR/rescue) and install the binary there.
tb_rescue_up() {
	[[ -n $TB_DIR ]] || tb_die "no container: call tb_up first"
	local r=$TB_DIR/rescue
	mountpoint -q "$r/merged" 2>/dev/null && return 0
	mkdir -p "$r/upper" "$r/work" "$r/merged" || tb_die "cannot create $r"
	mount -t overlay "srt-$TB_NAME-rescue" \
		-o "lowerdir=$TB_ROOTFS,upperdir=$r/upper,workdir=$r/work" "$r/merged" ||
		tb_die "mounting the rescue overlay on $r/merged failed"
	if [[ -n $TB_BINARY ]]; then
		install -D -m 0755 -o root -g root "$TB_BINARY" "$r/merged/usr/local/sbin/sshrepair"
	fi
	tb_log "rescue container ready in $r/merged (target tree at $TB_RESCUE_TARGET)"
}

# tb_rescue CMD...: run CMD in the rescue container (not booted, no network, a stub init
# as PID 1) with the stopped target's tree at $TB_RESCUE_TARGET, read-write; stdin,
# stdout, stderr and the exit code pass through. Refuses while the target runs.
tb_rescue() {
	(($#)) || tb_die "tb_rescue: no command"
	[[ -n $TB_DIR ]] || tb_die "no container: call tb_up first"
	! tb__alive "$(cat "$TB_DIR/nspawn.pid" 2>/dev/null)" ||
		tb_die "tb_rescue: the target '$TB_NAME' is running: power it off first (tb_poweroff)"
	mountpoint -q "$TB_DIR/rescue/merged" 2>/dev/null || tb_rescue_up
	tb__nolock systemd-nspawn -q -D "$TB_DIR/rescue/merged" \
		--machine="srr-$(TB_HASH_LEN=8 tb__hash "$TB_NAME")" --register=no --keep-unit \
		--as-pid2 --console=pipe --private-network --link-journal=no --resolv-conf=off --timezone=off \
		--bind="$TB_DIR/merged:$TB_RESCUE_TARGET" \
		--setenv=PATH="$TB_GUEST_PATH" --setenv=LANG=C.UTF-8 --setenv=TERM=dumb \
		--setenv=HOME=/root --setenv=USER=root --setenv=LOGNAME=root \
		"$@" 2> >(grep -v --line-buffered 'Attempted to remove disk file system under' >&2)
	# (nspawn says that on every exit here, harmless: TESTBED.md; it would be mistaken
	# for the tool's own stderr)
}

# tb_tree_fingerprint [DIR...]: the target's files under each DIR (relative to its root;
# default etc home root), read from the host: one line per file with path, numeric owner,
# mode and type (and link target), then the sha256 of every regular file. Meant for the
# stopped target (a running one is a moving tree).
tb_tree_fingerprint() {
	{ [[ -n $TB_DIR ]] && mountpoint -q "$TB_DIR/merged"; } || tb_die "no target tree: call tb_up first"
	local d dirs=("$@") have=()
	((${#dirs[@]})) || dirs=(etc home root)
	for d in "${dirs[@]}"; do
		[[ $d != /* && $d != *..* ]] || tb_die "tb_tree_fingerprint: '$d' is not a relative path inside the tree"
		if [[ -e $TB_DIR/merged/$d || -L $TB_DIR/merged/$d ]]; then have+=("$d"); else printf '/%s (absent)\n' "$d"; fi
	done
	((${#have[@]})) || return 0
	(
		cd "$TB_DIR/merged" || exit 1
		find "${have[@]}" -xdev -printf '/%p %U:%G %m %y %l\n' | LC_ALL=C sort
		echo "sha256 of the regular files:"
		find "${have[@]}" -xdev -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sed 's|  |  /|'
	)
}

# tb_expect_tree_fingerprint SAVED [WHAT [DIR...]]: compare tb_tree_fingerprint DIR... with SAVED.
tb_expect_tree_fingerprint() {
	local saved=$1 what=${2:-the tree} now
	shift $(($# < 2 ? $# : 2))
	now=$(tb_tree_fingerprint "$@")
	if [[ $now == "$saved" ]]; then
		echo "PASS: $what unchanged (tree fingerprint equal)"
		return 0
	fi
	echo "FAIL: $what changed; diff saved -> now:"
	diff -u <(printf '%s\n' "$saved") <(printf '%s\n' "$now") | tail -n +3 | sed 's/^/    /' || true
	return 1
}
