#!/bin/bash
# repair.sh SSHREPAIR_BINARY [RUNS]
#
# Benchmark: repair time from a fault to the verified banner, per fault: the whole process
# `sshrepair --yes --user alice` (diagnosis, snapshot, apply, the banner check that ends it)
# in a container, measured inside the container, RUNS times per fault (default 3). Each
# round breaks the host again; a repair that does not exit 0 fails the benchmark.
# Prints min / median / max in milliseconds, one row per fault.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "$1")
RUNS=${2:-3}
# shellcheck source=tests/integration/lib.sh
source "$HERE/../integration/lib.sh"

# name | how to break the host | how to clean up after the repair (back to healthy)
FAULTS=(
	"sshd stopped|systemctl stop ssh|true"
	"sshd stopped + disabled|systemctl disable --now ssh|true"
	"alice's .ssh mode 777|chmod 777 /home/alice/.ssh|true"
	"PubkeyAuthentication no|printf 'PubkeyAuthentication no\n' >/etc/ssh/sshd_config.d/50-nokeys.conf && systemctl restart ssh|rm -f /etc/ssh/sshd_config.d/50-nokeys.conf && systemctl restart ssh"
	"nft: tcp dport 22 drop|printf 'table inet filter {\n chain input {\n  type filter hook input priority filter; policy accept;\n  ct state established,related accept\n  tcp dport 22 counter drop\n }\n}\n' | nft -f -|nft flush ruleset"
	"iptables: --dport 22 -j DROP|iptables -A INPUT -p tcp --dport 22 -j DROP|iptables -F INPUT && nft flush ruleset"
)

tb_gc
tb_rootfs
tb_install_binary "$BINARY"
tb_up bench-repair >/dev/null 2>&1

printf "%-40s %8s %8s %8s\n" "benchmark" "min ms" "median" "max ms"
for f in "${FAULTS[@]}"; do
	IFS='|' read -r name break_cmd clean_cmd <<<"$f"
	times=$(tb_sh "i=0; while [ \$i -lt $RUNS ]; do
		systemctl reset-failed ssh >/dev/null 2>&1 # many restarts in a row: no start limit
		( $break_cmd ) >/dev/null 2>&1 || { echo break-failed; exit 1; }
		s=\$(date +%s%N); sshrepair --yes --user alice >/tmp/bench-repair.out 2>&1 || { echo repair-failed; cat /tmp/bench-repair.out; exit 1; }; e=\$(date +%s%N)
		systemctl reset-failed ssh >/dev/null 2>&1
		( $clean_cmd ) >/dev/null 2>&1 || { echo clean-failed; exit 1; }
		echo \$(( (e - s) / 1000 )); i=\$((i + 1)); done") || { echo "FAIL: $name: $times" >&2; exit 1; }
	printf '%s\n' "$times" | sort -n | awk -v name="repair: $name" '
		{ t[NR] = $1 / 1000 }
		END { printf "%-40s %8.1f %8.1f %8.1f\n", name " (" NR ")", t[1], t[int((NR + 1) / 2)], t[NR] }'
done
