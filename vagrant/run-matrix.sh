#!/bin/bash
# vagrant/run-matrix.sh — every scenario of the Vagrantfile's MATRIX on every machine;
# prints a table (scenario x machine: pass/fail/skip) and exits 1 if anything failed.
#
#   ./run-matrix.sh [-m MACHINE]... [-s SCENARIO]... [-p PROVIDER] [--keep] [--no-up] [--local]
#
#   -m  only these machines (debian12, ubuntu2404, rocky9; default: all)
#   -s  only these scenarios (default: all the MATRIX names)
#   -p  the provider for `vagrant up` (default: Vagrant's default; libvirt or virtualbox)
#   --keep   leave the machines running afterwards (default: vagrant destroy -f)
#   --no-up  the machines are already up and provisioned
#   --local  this project's build machine (no box downloads, no KVM): build the Debian 12
#            box locally (build-box.sh), start libvirtd + virtlogd inside a network
#            namespace of our own, qemu under software emulation, direct kernel boot,
#            management network 198.51.100.0/24, upload a host-built sshrepair
#            (SSHREPAIR_PREBUILT, default: a build of HEAD in a temporary git worktree)
#            instead of building inside the emulated guest; everything torn down at the end.
#            Only debian12 can run there (the other boxes cannot be downloaded).
# Results: results/MACHINE/SCENARIO.{json,log,probes.jsonl,host.log}, results/matrix.txt.
set -euo pipefail
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
TOP=$(dirname "$HERE")
export VAGRANT_CWD=$HERE
RESULTS=${SSHREPAIR_VAGRANT_RESULTS:-$HERE/results}
export SSHREPAIR_VAGRANT_RESULTS=$RESULTS
machines=() scenarios=() provider="" keep=0 up=1 local=0 inner=0
while (($#)); do
	case $1 in
	-m) machines+=("$2") && shift ;;
	-s) scenarios+=("$2") && shift ;;
	-p) provider=$2 && shift ;;
	--keep) keep=1 ;;
	--no-up) up=0 ;;
	--local) local=1 ;;
	--inner) inner=1 ;;
	-h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
log() { printf '[matrix %5ds] %s\n' "$SECONDS" "$*" >&2; }

# ---- the MATRIX block of the Vagrantfile
matrix() { sed -n "/^MATRIX = <<~'MATRIX'/,/^MATRIX\$/p" "$HERE/Vagrantfile" | sed '1d;$d'; }
all_machines=(debian12 ubuntu2404 rocky9)
((${#machines[@]})) || machines=("${all_machines[@]}")
if ((!${#scenarios[@]})); then
	# the MATRIX's scenarios, then any scenario file it does not name (so that a new
	# scenario runs here too without touching the Vagrantfile)
	mapfile -t scenarios < <(matrix | awk '$1 == "scenario" { print $2 }')
	for f in "$TOP"/tests/scenarios/*.sh; do
		s=$(basename "$f" .sh)
		[[ " ${scenarios[*]} " == *" $s "* ]] || scenarios+=("$s")
	done
fi
skip_reason() { # MACHINE SCENARIO
	matrix | awk -v m="$1" -v s="$2" '$1 == "skip" && ($2 == m || $2 == "all") && $3 == s {
		$1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }'
}

# ---- --local: daemons in a namespace, the local box; then run the rest inside the namespace
NS=sshrepair-vg
MGMT=sshrepair-mgmt
local_setup() {
	[[ $(id -u) -eq 0 ]] || { echo "--local needs root" >&2; exit 2; }
	local out
	out=$("$HERE/build-box.sh")
	SSHREPAIR_BOX_DEBIAN12=$(sed -n 's/^box=//p' <<<"$out")
	SSHREPAIR_VAGRANT_KERNEL=$(sed -n 's/^kernel=//p' <<<"$out")
	SSHREPAIR_VAGRANT_INITRD=$(sed -n 's/^initrd=//p' <<<"$out")
	export SSHREPAIR_BOX_DEBIAN12 SSHREPAIR_VAGRANT_KERNEL SSHREPAIR_VAGRANT_INITRD
	export SSHREPAIR_VAGRANT_QEMU=1 SSHREPAIR_VAGRANT_MGMT_NET=198.51.100.0/24 SSHREPAIR_VAGRANT_MGMT_NAME=$MGMT
	# inside our namespace, the bridge may get IPv6 back (for the -6 login probes)
	export SSHREPAIR_VAGRANT_ENABLE_V6=1
	if [[ -z ${SSHREPAIR_PREBUILT:-} ]]; then
		local wt=/tmp/sshrepair-vagrant-head
		if [[ ! -x $wt/build-vagrant/sshrepair ]]; then
			log "building sshrepair at HEAD in the worktree $wt"
			git -C "$TOP" worktree add --detach "$wt" HEAD >&2
			meson setup "$wt/build-vagrant" "$wt" -Dtest-hooks=true -Dtests=disabled >&2
			ninja -C "$wt/build-vagrant" >&2
		fi
		export SSHREPAIR_PREBUILT=$wt/build-vagrant/sshrepair
		export SSHREPAIR_SRC=${SSHREPAIR_SRC:-$wt}
	fi
	log "box $SSHREPAIR_BOX_DEBIAN12, kernel $SSHREPAIR_VAGRANT_KERNEL, binary $SSHREPAIR_PREBUILT, source $SSHREPAIR_SRC"
	trap local_teardown EXIT
	if [[ -e /run/libvirtd.pid ]] && kill -0 "$(cat /run/libvirtd.pid)" 2>/dev/null; then
		# ours, left by --keep: reuse it; anything else: refuse
		[[ -e /run/netns/$NS && $(readlink "/proc/$(cat /run/libvirtd.pid)/ns/net") == "$(ip netns exec "$NS" readlink /proc/self/ns/net)" ]] ||
			{ trap - EXIT; echo "a libvirtd is already running (pid $(cat /run/libvirtd.pid)), not in netns $NS; not starting another" >&2; exit 1; }
		log "reusing libvirtd $(cat /run/libvirtd.pid) in netns $NS (left by --keep)"
	else
		ip netns add "$NS"
		ip -n "$NS" link set lo up
		# no autostarted "default" network (192.168.122.0/24) in our namespace
		rm -f /etc/libvirt/qemu/networks/autostart/default.xml
		ip netns exec "$NS" virtlogd -d
		ip netns exec "$NS" libvirtd -d
		for _ in $(seq 100); do [[ -S /run/libvirt/libvirt-sock ]] && break; sleep 0.1; done
	fi
	log "libvirtd $(cat /run/libvirtd.pid), virtlogd $(cat /run/virtlogd.pid) in netns $NS"
	if ! virsh -c qemu:///system pool-info default >/dev/null 2>&1; then
		mkdir -p /var/lib/libvirt/images
		virsh -c qemu:///system pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
		virsh -c qemu:///system pool-start default >/dev/null
	fi
	local rc=0 a=()
	for m in "${machines[@]}"; do a+=(-m "$m"); done
	for s in "${scenarios[@]}"; do a+=(-s "$s"); done
	((keep)) && a+=(--keep)
	((up)) || a+=(--no-up)
	ip netns exec "$NS" "$0" --inner -p libvirt "${a[@]}" || rc=$?
	exit "$rc"
}
local_teardown() {
	set +e
	log "teardown: vagrant destroy, libvirt network, daemons, namespace"
	((keep)) || ip netns exec "$NS" vagrant destroy -f >&2
	if ((!keep)); then
		virsh -c qemu:///system net-destroy "$MGMT" >/dev/null 2>&1
		virsh -c qemu:///system net-undefine "$MGMT" >/dev/null 2>&1
		local p f
		for f in /run/libvirt/network/*.pid; do
			[[ -f $f ]] && p=$(cat "$f") && [[ $(readlink "/proc/$p/exe" 2>/dev/null) == *dnsmasq* ]] && kill "$p"
		done
		for f in /run/libvirtd.pid /run/virtlogd.pid; do
			[[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
		done
		sleep 1
		ip netns del "$NS"
	else
		log "--keep: libvirtd, virtlogd and netns $NS left running"
	fi
}
if ((local && !inner)); then local_setup; fi

# ---- the matrix
declare -A res
failed=0
mkdir -p "$RESULTS"
for m in "${machines[@]}"; do
	rm -f "$RESULTS/.ssh-config-$m"
	if ((up)); then
		log "vagrant up $m ${provider:+--provider=$provider}"
		t=$SECONDS
		if ! vagrant up "$m" ${provider:+--provider="$provider"} --provision >"$RESULTS/up-$m.log" 2>&1; then
			grep -v -e Progress -e '^\s*from ' "$RESULTS/up-$m.log" | tail -n 30 >&2
			log "vagrant up $m failed (log $RESULTS/up-$m.log)"
			for s in "${scenarios[@]}"; do res[$m/$s]="fail(up)"; done
			failed=1
			continue
		fi
		log "vagrant up $m: $((SECONDS - t)) s"
	fi
	if [[ ${SSHREPAIR_VAGRANT_ENABLE_V6:-0} == 1 ]]; then
		# libvirt turns IPv6 off on an IPv4-only network's bridge; the -6 probes go to the
		# guest's link-local address through it (only done in --local's own namespace)
		addr=$(vagrant ssh-config "$m" 2>/dev/null | awk '$1 == "HostName" { print $2 }')
		dev=$(ip -4 route get "$addr" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
		[[ -n $dev ]] && sysctl -q -w "net.ipv6.conf.$dev.disable_ipv6=0" && log "IPv6 link-local enabled on $dev (toward $m)"
	fi
	for s in "${scenarios[@]}"; do
		r=$(skip_reason "$m" "$s")
		if [[ -n $r ]]; then
			res[$m/$s]=skip
			log "$m $s: skip ($r)"
			printf '{"machine":"%s","scenario":"%s","result":"skip","reason":"%s"}\n' "$m" "$s" "${r//\"/\'}" >"$RESULTS/$m/$s.json" 2>/dev/null ||
				{ mkdir -p "$RESULTS/$m" && printf '{"machine":"%s","scenario":"%s","result":"skip","reason":"%s"}\n' "$m" "$s" "${r//\"/\'}" >"$RESULTS/$m/$s.json"; }
			continue
		fi
		f=$TOP/tests/scenarios/$s.sh
		t=$SECONDS
		rc=0
		"$HERE/run-scenario.sh" "$m" "$f" || rc=$?
		case $rc in 0) res[$m/$s]=pass ;; 77) res[$m/$s]=skip ;; *) res[$m/$s]=fail && failed=1 ;; esac
		log "$m $s: ${res[$m/$s]} ($((SECONDS - t)) s)"
	done
	if ((!keep && up)); then vagrant destroy -f "$m" >&2 || true; fi
done

{
	printf '%-24s' scenario
	for m in "${machines[@]}"; do printf ' %-11s' "$m"; done
	echo
	for s in "${scenarios[@]}"; do
		printf '%-24s' "$s"
		for m in "${machines[@]}"; do printf ' %-11s' "${res[$m/$s]:-?}"; done
		echo
	done
} | tee "$RESULTS/matrix.txt"
exit "$failed"
