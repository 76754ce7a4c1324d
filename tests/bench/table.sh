#!/bin/bash
# table.sh SSHREPAIR_BINARY: runs every benchmark and prints one table (Markdown), the one
# in the README's "Benchmarks" section. Root; containers and network namespaces as the
# integration tests use them (never the host's own firewall or configuration).
#
#   dry-run.sh       dry-run on a healthy container, median of 20 whole-process runs
#   repair.sh        repair time, fault -> verified banner, per fault (3 runs each)
#   rollback.sh      rollback of a 3-step transaction (5 runs)
#   nft-bench.sh     100k nftables rules (and 10k, and a 100k-element set) vs `nft list ruleset`
#   ipt-bench.sh     50k iptables rules vs `iptables-save` (nft and legacy variants)
#   sshd-config-bench.sh  100,000-line sshd_config with 1,000 Match blocks vs `sshd -T`
#
# BENCH_ONLY="dry-run repair" runs a subset. Each script's own output is kept in
# $BENCH_LOGS (default: a temporary directory, printed at the end). A benchmark that fails
# shows as "failed" and makes the exit status 1; the others still run.
set -uo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "$1")
ONLY=${BENCH_ONLY:-dry-run repair rollback nft ipt sshd-config}
LOGS=${BENCH_LOGS:-$(mktemp -d /tmp/sshrepair-bench.XXXXXX)}
mkdir -p "$LOGS"
rc=0
rows=()

want() { [[ " $ONLY " == *" $1 "* ]]; }

# run NAME SCRIPT ARGS...: the script's output in $LOGS/NAME.log. A script that fails (a
# broken run, or a target it checks missed) adds a row with its FAIL line; the rows it did
# print are still shown.
run() {
	local name=$1
	shift
	local s=$SECONDS
	echo "running $name ..." >&2
	if "$@" >"$LOGS/$name.log" 2>&1; then
		echo "  $name: $((SECONDS - s)) s" >&2
		return 0
	fi
	echo "  $name FAILED after $((SECONDS - s)) s (log: $LOGS/$name.log)" >&2
	rows+=("| $name: **failed**: $(grep -m1 '^FAIL' "$LOGS/$name.log" | tr '|' '/') | | | | |")
	rc=1
	return 0
}

# row BENCHMARK OURS REFERENCE REF_MS: one table row, with the ratio when both are numbers
row() {
	local ratio
	ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b }')
	rows+=("| $1 | $2 | $3 | $4 | $ratio |")
}

# the "min median max" scripts: the median is the next-to-last field
medians() {
	awk -v pat="$2" '$0 ~ pat { name = $0; sub(/ +[0-9.]+ +[0-9.]+ +[0-9.]+ *$/, "", name); print name "\t" $(NF - 1) }' \
		"$LOGS/$1.log"
}

if want dry-run && run dry-run "$HERE/dry-run.sh" "$BINARY" 20; then
	while IFS=$'\t' read -r n m; do row "$n" "$m" "" ""; done < <(medians dry-run '^dry-run')
fi
if want repair && run repair "$HERE/repair.sh" "$BINARY" 3; then
	while IFS=$'\t' read -r n m; do row "$n" "$m" "" ""; done < <(medians repair '^repair: ')
fi
if want rollback && run rollback "$HERE/rollback.sh" "$BINARY" 5; then
	while IFS=$'\t' read -r n m; do row "$n" "$m" "" ""; done < <(medians rollback '^rollback')
fi
if want nft && run nft "$HERE/nft-bench.sh" "$BINARY"; then
	# case nft_ms sshrepair_ms ratio nft_rss our_rss verdict
	while read -r c nft ours _ nrss orss _; do
		row "nftables $c: dry-run (RSS $orss KiB)" "$ours" "nft list ruleset (RSS $nrss KiB)" "$nft"
	done < <(awk '$1 ~ /^(rules|set)-/' "$LOGS/nft.log")
fi
if want ipt && run ipt "$HERE/ipt-bench.sh" "$BINARY"; then
	# variant rules save_ms sshrepair_ms ratio
	while read -r v n save ours _; do
		row "iptables-$v $n rules: dry-run" "$ours" "iptables-$v-save" "$save"
	done < <(awk '$1 ~ /^(nft|legacy)$/ && $2 ~ /^[0-9]+$/' "$LOGS/ipt.log")
fi
if want sshd-config && run sshd-config "$HERE/sshd-config-bench.sh" "$BINARY" 5; then
	while read -r ours ref; do
		row "sshd_config 100k lines, 1000 Match: dry-run" "$ours" "sshd -T" "$ref"
	done < <(awk '/^dry-run vs/ { print $(NF - 2), $(NF - 1) }' "$LOGS/sshd-config.log")
	while read -r ours ref; do
		row "the same, dry-run --user alice" "$ours" "sshd -T -C user=alice,..." "$ref"
	done < <(awk '/^dry-run --user/ { print $(NF - 2), $(NF - 1) }' "$LOGS/sshd-config.log")
fi

echo "| benchmark | sshrepair ms | reference | reference ms | ratio |"
echo "|---|---:|---|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; logs: $LOGS"
exit $rc
