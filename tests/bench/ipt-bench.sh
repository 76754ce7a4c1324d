#!/bin/bash
# ipt-bench.sh SSHREPAIR_BINARY [RULES] [RUNS]
#
# Benchmark: `sshrepair --dry-run` against `iptables-save` alone, with RULES (default 50000)
# iptables rules in INPUT, in a throwaway network namespace on this machine, for the nft
# and the legacy variant. Whole-process wall time, median of RUNS (default 5) runs each; the
# two programs run in turns (save, sshrepair, save, ...), so that load from elsewhere on the
# machine falls on both alike. Fails when sshrepair takes more than 1.2 times as long as the
# variant's iptables-save.
# The host's own firewall is never touched: everything runs inside the namespace.
set -euo pipefail
BINARY=$(realpath "$1")
RULES=${2:-50000}
RUNS=${3:-5}
LIMIT=1.2
NS=srt-ipt-bench-$$
TMP=$(mktemp -d)

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
for t in iptables-nft-restore iptables-legacy-restore ip; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up

# RULES rules that a SYN to port 22 has to walk through: none matches it (another port),
# and the last rule of INPUT is a DROP for 22 alone from outside (loopback stays open: the
# tool's own connect to 127.0.0.1 must not wait for a timeout), so the evaluation covers
# every rule.
{
	echo '*filter'
	echo ':INPUT ACCEPT [0:0]'
	echo ':FORWARD ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	awk -v n="$RULES" 'BEGIN { for (i = 0; i < n - 1; i++)
		printf "-A INPUT -s 10.%d.%d.%d/32 -p tcp -m tcp --dport %d -j DROP\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1024 + i % 30000 }'
	echo '-A INPUT ! -i lo -p tcp -m tcp --dport 22 -j DROP'
	echo 'COMMIT'
} >"$TMP/rules"

# one run's wall-clock time in ms, of a command run in the namespace
run_ms() {
	local s e
	s=$(date +%s%N)
	ip netns exec "$NS" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

median() { sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }

fail=0
printf '%-10s %8s %14s %14s %7s\n' variant rules "save ms" "sshrepair ms" ratio
for v in nft legacy; do
	ip netns exec "$NS" "iptables-$v-restore" <"$TMP/rules"
	[[ $(ip netns exec "$NS" "iptables-$v-save" -t filter | grep -c '^-A') -eq $RULES ]] || { echo "FAIL: loading $RULES rules ($v)"; exit 1; }
	# the tool must see the block, or it did not read the table
	ip netns exec "$NS" "$BINARY" --dry-run >"$TMP/out" 2>&1 || true
	grep -q "firewall.iptables.drop" "$TMP/out" || { cat "$TMP/out"; echo "FAIL: sshrepair did not find the DROP ($v)"; exit 1; }
	: >"$TMP/save" && : >"$TMP/tool"
	for ((i = 0; i < RUNS; i++)); do
		run_ms "iptables-$v-save" >>"$TMP/save"
		run_ms "$BINARY" --dry-run >>"$TMP/tool"
	done
	save=$(median <"$TMP/save")
	tool=$(median <"$TMP/tool")
	ratio=$(awk -v a="$tool" -v b="$save" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')
	printf '%-10s %8d %14d %14d %7s\n' "$v" "$RULES" "$save" "$tool" "$ratio"
	awk -v r="$ratio" -v l="$LIMIT" 'BEGIN { exit !(r > l) }' && { echo "FAIL: $v: ratio $ratio > $LIMIT"; fail=1; }
	# empty the table again (legacy tables outlive a restore of another variant)
	printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' | ip netns exec "$NS" "iptables-$v-restore"
done
exit "$fail"
