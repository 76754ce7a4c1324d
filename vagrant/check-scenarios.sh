#!/bin/bash
# vagrant/check-scenarios.sh [--strict] — every scenario the Vagrantfile's MATRIX names
# ("scenario NAME" and "skip MACHINE NAME REASON") exists as tests/scenarios/NAME.sh, every
# skip names a machine of the Vagrantfile (or "all") and gives a reason. Scenarios in
# tests/scenarios/ that the MATRIX does not name are reported (run-matrix.sh runs them
# anyway); --strict makes that an error too. Needs only bash, sed and awk.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
DIR=$(dirname "$HERE")/tests/scenarios
strict=0
[[ ${1:-} == --strict ]] && strict=1
VF=$HERE/Vagrantfile
block=$(sed -n "/^MATRIX = <<~'MATRIX'/,/^MATRIX\$/p" "$VF" | sed '1d;$d')
[[ -n $block ]] || { echo "FAIL: no MATRIX block in $VF"; exit 1; }
mapfile -t machines < <(sed -n 's/^ *"\([a-z0-9]*\)" *=> *{.*/\1/p' "$VF")
((${#machines[@]})) || { echo "FAIL: no machines found in $VF"; exit 1; }
bad=0 n=0
while read -r kind a b rest; do
	[[ -z $kind || $kind == \#* ]] && continue
	case $kind in
	scenario) s=$a ;;
	skip)
		s=$b
		if [[ $a != all && " ${machines[*]} " != *" $a "* ]]; then
			echo "FAIL: skip line for unknown machine '$a' (machines: ${machines[*]})"; bad=1
		fi
		[[ -n $rest ]] || { echo "FAIL: skip $a $b gives no reason"; bad=1; }
		;;
	*) echo "FAIL: MATRIX line not understood: $kind $a $b $rest"; bad=1; continue ;;
	esac
	n=$((n + 1))
	[[ -f $DIR/$s.sh ]] || { echo "FAIL: the Vagrantfile names scenario '$s', but $DIR/$s.sh does not exist"; bad=1; }
done <<<"$block"
named=$(awk '$1 == "scenario" { print $2 }' <<<"$block" | sort -u)
for f in "$DIR"/*.sh; do
	s=$(basename "$f" .sh)
	if ! grep -qxF "$s" <<<"$named"; then
		echo "$([[ $strict == 1 ]] && echo FAIL || echo NOTE): tests/scenarios/$s.sh is not named in the MATRIX (run-matrix.sh runs it on every machine)"
		((strict)) && bad=1
	fi
done
((bad)) && exit 1
echo "PASS: $n MATRIX lines checked against $DIR (machines: ${machines[*]})"
