#!/bin/bash
# nft-bench.sh SSHREPAIR_BINARY [RUNS]
#
# Benchmark: `sshrepair --dry-run` (the whole process) against `nft list ruleset` on big
# synthetic rulesets, in a throwaway network namespace (never the host's ruleset):
#   rules-10k   10 000 rules in one input chain, then 'tcp dport 22 drop'
#   rules-100k  100 000 rules in one input chain, then 'tcp dport 22 drop'
#   set-100k    an interval set of 100 000 addresses looked up by 'ip saddr @blocklist drop'
# Median wall time of RUNS runs (default 5) and peak RSS of each; target: sshrepair at most
# 0.8 x nft's time and no more memory. NFT_BENCH_CASES limits the cases ("rules-10k set-100k").
set -euo pipefail
BINARY=$(realpath "$1")
RUNS=${2:-5}
CASES=${NFT_BENCH_CASES:-"rules-10k rules-100k set-100k"}
NS=srt-nftbench-$$
TMP=$(mktemp -d)

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft is not installed"; exit 77; }

cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up

# rules N: N drop rules for distinct sources, then the one that blocks SSH
gen_rules() {
	awk -v n="$1" 'BEGIN {
		print "flush ruleset"
		print "table inet filter {"
		print "\tchain input {"
		print "\t\ttype filter hook input priority filter; policy accept;"
		print "\t\tiif \"lo\" accept"
		for (i = 0; i < n; i++)
			printf "\t\tip saddr 10.%d.%d.%d tcp dport 8080 drop\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256
		print "\t\ttcp dport 22 drop"
		print "\t}"
		print "}"
	}'
}

gen_set() {
	awk -v n="$1" 'BEGIN {
		print "flush ruleset"
		print "table inet filter {"
		print "\tset blocklist {"
		print "\t\ttype ipv4_addr; flags interval;"
		printf "\t\telements = { "
		for (i = 0; i < n; i++)
			printf "%s10.%d.%d.%d", i ? ", " : "", int(i / 32768) % 256, int(i / 128) % 256, (i % 128) * 2
		print " }"
		print "\t}"
		print "\tchain input {"
		print "\t\ttype filter hook input priority filter; policy accept;"
		print "\t\tiif \"lo\" accept"
		print "\t\tip saddr @blocklist drop"
		print "\t\ttcp dport 22 drop"
		print "\t}"
		print "}"
	}'
}

# run_once CMD...: prints "milliseconds max_rss_kib" of one run in the namespace
run_once() {
	local s e
	s=$(date +%s%N)
	/usr/bin/time -f %M -o "$TMP/rss" ip netns exec "$NS" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo "$(((e - s) / 1000000)) $(tail -n 1 "$TMP/rss")"
}

# median FILE COLUMN / maximum FILE COLUMN
median() { awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
maximum() { awk -v c="$2" '{ print $c }' "$1" | sort -n | tail -n 1; }

printf '%-11s %12s %12s %7s %12s %12s  %s\n' case "nft ms" "sshrepair ms" ratio "nft RSS KiB" "ours RSS KiB" verdict
for c in $CASES; do
	case $c in
	rules-10k) gen_rules 10000 >"$TMP/r.nft" ;;
	rules-100k) gen_rules 100000 >"$TMP/r.nft" ;;
	set-100k) gen_set 100000 >"$TMP/r.nft" ;;
	*) echo "unknown case $c" >&2; exit 2 ;;
	esac
	ip netns exec "$NS" nft -f "$TMP/r.nft"
	# Interleaved, so that a change in the machine's load hits both alike.
	: >"$TMP/nft.txt"
	: >"$TMP/ours.txt"
	for ((i = 0; i < RUNS; i++)); do
		run_once nft list ruleset >>"$TMP/nft.txt"
		run_once "$BINARY" --dry-run >>"$TMP/ours.txt"
	done
	nft_ms=$(median "$TMP/nft.txt" 1)
	nft_rss=$(maximum "$TMP/nft.txt" 2)
	our_ms=$(median "$TMP/ours.txt" 1)
	our_rss=$(maximum "$TMP/ours.txt" 2)
	ratio=$(awk -v a="$our_ms" -v b="$nft_ms" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	verdict=$(awk -v r="$ratio" -v a="$our_rss" -v b="$nft_rss" 'BEGIN { print (r <= 0.8 && a <= b) ? "ok" : "MISSED" }')
	printf '%-11s %12s %12s %7s %12s %12s  %s\n' "$c" "$nft_ms" "$our_ms" "$ratio" "$nft_rss" "$our_rss" "$verdict"
	ip netns exec "$NS" nft flush ruleset
done
