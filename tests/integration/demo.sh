#!/bin/bash
# demo.sh [SSHREPAIR_BINARY]
#
# Boots a throwaway Debian 12 container whose sshd is stopped and disabled, shows that a
# real ssh login from another network namespace is refused, runs `sshrepair --dry-run`
# and then `sshrepair --yes` inside it, and logs in again. Everything is torn down at the
# end. Needs root (containers, namespaces); the first run builds a cached rootfs (~1-2 min).
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "${1:-$HERE/../../build/sshrepair}")
[[ -x $BINARY ]] || { echo "no sshrepair binary at $BINARY: build it first (meson setup build && ninja -C build)" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "demo.sh needs root (it boots a container)" >&2; exit 2; }

# shellcheck source=tests/integration/lib.sh
source "$HERE/lib.sh"

say() { printf '\n\033[1m### %s\033[0m\n' "$*"; }
run() {
	printf '\033[1m[container]# %s\033[0m\n' "$*"
	local rc=0
	tb_sh "$*" || rc=$?
	printf '(exit %d)\n' "$rc"
}
login() {
	printf '\033[1m[client]$ ssh alice@%s true\033[0m\n' "$TB_SERVER4"
	if tb_ssh alice true; then echo "login works"; else echo "login fails"; fi
}

say "Preparing a throwaway Debian 12 container (cached rootfs, overlay, two namespaces)"
tb_gc
tb_rootfs
tb_install_binary "$BINARY"
tb_up demo

say "The container answers SSH; now we break it: sshd stopped and disabled"
login
run 'systemctl disable --now ssh'
login

say "sshrepair --dry-run: what is wrong, and the plan (changes nothing)"
run 'sshrepair --dry-run'

say "sshrepair --yes: snapshot, repair, verify"
run 'sshrepair --yes'

say "A real login from the client namespace"
login
run 'systemctl is-active ssh; systemctl is-enabled ssh'
