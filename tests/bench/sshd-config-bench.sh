#!/bin/bash
# sshd-config-bench.sh SSHREPAIR_BINARY [RUNS]
#
# Benchmark: a 100,000-line sshd_config with 1,000 Match blocks (the container's own global
# part padded with comments to 1,000 lines, then 1,000 blocks of 99 lines: "Match User ...
# Address ...", settings and comments), in a container. Times, inside the container, the
# median of RUNS (default 5) whole-process runs of
#   sshd -T                          the reference: sshd parsing its own file once
#   sshd -T -C user=alice,...        with Match evaluation
#   sshrepair --dry-run              the whole diagnosis (which runs sshd -t and -T too)
#   sshrepair --dry-run --user alice ... plus the Match evaluation for alice
# and checks that the file has 100,000 lines and sshd accepts it.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
BINARY=$(realpath "$1")
RUNS=${2:-5}
# shellcheck source=tests/integration/lib.sh
source "$HERE/../integration/lib.sh"

tb_gc
tb_rootfs
tb_install_binary "$BINARY"
tb_up bench-sshd-config >/dev/null 2>&1

# shellcheck disable=SC2016 # expanded by the guest shell
tb_sh 'set -e; f=/etc/ssh/sshd_config; cp $f /root/sshd_config.orig
	awk "{ print } END { for (i = NR; i < 1000; i++) print \"# padding \" i }" /root/sshd_config.orig >$f.new
	awk "BEGIN {
		split(\"AllowTcpForwarding no|PermitTTY yes|X11Forwarding no|Banner none|MaxAuthTries 6|ClientAliveInterval 30|PasswordAuthentication no\", s, \"|\")
		for (b = 0; b < 1000; b++) {
			printf \"Match User bench%d Address 10.%d.%d.0/24\n\", b, int(b / 256), b % 256
			for (l = 0; l < 98; l++)
				if (l % 2) print \"\t# block \" b \" line \" l; else print \"\t\" s[1 + int(l / 2) % 7]
		}
	}" >>$f.new
	mv $f.new $f
	[ "$(wc -l <$f)" -eq 100000 ] && [ "$(grep -c "^Match " $f)" -eq 1000 ]
	sshd -t' || { echo "FAIL: generating or validating the 100,000-line sshd_config" >&2; exit 1; }

# median_ms CMD: median wall time of RUNS runs of CMD inside the container (one warm-up)
median_ms() {
	tb_sh "$1 >/dev/null 2>&1 || { echo failed; exit 1; }
		i=0; while [ \$i -lt $RUNS ]; do s=\$(date +%s%N); $1 >/dev/null 2>&1; e=\$(date +%s%N)
		echo \$(( (e - s) / 1000 )); i=\$((i + 1)); done" | sort -n |
		awk '/failed/ { print "failed"; exit } { t[NR] = $1 / 1000 } END { if (NR) printf "%.1f\n", t[int((NR + 1) / 2)] }'
}

spec=user=alice,host=client,addr=192.0.2.1,laddr=192.0.2.2,lport=22
sshd_t=$(median_ms "sshd -T")
sshd_c=$(median_ms "sshd -T -C $spec")
ours=$(median_ms "sshrepair --dry-run")
ours_user=$(median_ms "sshrepair --dry-run --user alice")
printf '%-48s %10s %10s %7s\n' "benchmark (100k lines, 1000 Match)" "sshrepair" "sshd" ratio
printf '%-48s %10s %10s %7s\n' "dry-run vs sshd -T (median of $RUNS, ms)" "$ours" "$sshd_t" \
	"$(awk -v a="$ours" -v b="$sshd_t" 'BEGIN { printf "%.2f", a / b }')"
printf '%-48s %10s %10s %7s\n' "dry-run --user vs sshd -T -C (median, ms)" "$ours_user" "$sshd_c" \
	"$(awk -v a="$ours_user" -v b="$sshd_c" 'BEGIN { printf "%.2f", a / b }')"
