#!/bin/bash
# rollback.sh SSHREPAIR_BINARY [RUNS]
#
# Benchmark: `sshrepair rollback` of a three-step transaction (chmod of ~/.ssh, enable and
# start ssh.service: two subsystems), whole process, measured inside a container, RUNS
# times (default 5). Each round breaks the host, repairs it, then times the rollback.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "$1")
RUNS=${2:-5}
# shellcheck source=tests/integration/lib.sh
source "$HERE/../integration/lib.sh"

tb_gc
tb_rootfs
tb_install_binary "$BINARY"
tb_up bench-rollback >/dev/null 2>&1

times=$(tb_sh "i=0; while [ \$i -lt $RUNS ]; do
	systemctl disable --now ssh >/dev/null 2>&1; chmod 777 /home/alice/.ssh
	sshrepair --yes --user alice >/dev/null 2>&1 || { echo repair-failed; exit 1; }
	s=\$(date +%s%N); sshrepair rollback >/dev/null 2>&1 || { echo rollback-failed; exit 1; }; e=\$(date +%s%N)
	[ \"\$(stat -c %a /home/alice/.ssh)\" = 777 ] && ! systemctl -q is-active ssh || { echo not-restored; exit 1; }
	echo \$(( (e - s) / 1000 )); i=\$((i + 1)); done")
printf '%s\n' "$times" | sort -n | awk '
	{ t[NR] = $1 / 1000 }
	END {
		printf "%-40s %8s %8s %8s\n", "benchmark", "min ms", "median", "max ms"
		printf "%-40s %8.1f %8.1f %8.1f\n", "rollback, 3 steps (" NR " runs)", t[1], t[int((NR + 1) / 2)], t[NR]
	}'
