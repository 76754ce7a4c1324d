#!/bin/bash
# dry-run.sh SSHREPAIR_BINARY [RUNS]
#
# Benchmark: whole-process time of `sshrepair --dry-run` on a healthy container (the
# default port answers, nothing to do), measured inside the container, RUNS times
# (default 20). Prints min / median / max in milliseconds.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "$1")
RUNS=${2:-20}
# shellcheck source=tests/integration/lib.sh
source "$HERE/../integration/lib.sh"

tb_gc
tb_rootfs
tb_install_binary "$BINARY"
tb_up bench-dry-run >/dev/null 2>&1

# One warm-up run, then the measured ones; time in the guest so nsenter is not counted.
tb_sh "sshrepair --dry-run >/dev/null" || true
times=$(tb_sh "i=0; while [ \$i -lt $RUNS ]; do s=\$(date +%s%N); sshrepair --dry-run >/dev/null; e=\$(date +%s%N); echo \$(( (e - s) / 1000 )); i=\$((i + 1)); done")
printf '%s\n' "$times" | sort -n | awk -v runs="$RUNS" '
	{ t[NR] = $1 / 1000 }
	END {
		printf "%-40s %8s %8s %8s\n", "benchmark", "min ms", "median", "max ms"
		printf "%-40s %8.1f %8.1f %8.1f\n", "dry-run, healthy container (" NR " runs)", t[1], t[int((NR + 1) / 2)], t[NR]
	}'
