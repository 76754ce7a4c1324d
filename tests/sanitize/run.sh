#!/bin/bash
# tests/sanitize/run.sh [BUILDDIR]: the integration scenarios below against an ASan+UBSan
# build of the binary (CI; root, like the integration suite). BUILDDIR (default build-san)
# is set up here when missing:
#   meson setup build-san -Db_sanitize=address,undefined -Dsanitizer-logs=/var/log/sshrepair-sanitizer \
#         -Dtests=disabled -Dintegration=false -Dtest-hooks=true
# The binary links the sanitizer runtimes statically (the container has none) and carries
# its options (tests/sanitize/options.c): reports go to /var/log/sshrepair-sanitizer-*
# in the container, from the tool and from the units it starts (recovery, confirm
# watchdog); run-case.sh prints them and fails the case (SSHREPAIR_SANITIZER_LOGS).
# A report also ends the process with exit status 99, which no scenario expects.
# LeakSanitizer is on: a leak at exit is a report too.
#
# One scenario per backend, a rollback across frontends and the offline mode (nine cases,
# about four minutes: CI time is bounded);
# SANITIZE_CASES="a b" replaces the list.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-san}
prefix=/var/log/sshrepair-sanitizer
cases=${SANITIZE_CASES:-sshd-stopped-disabled sshd-config-invalid auth-ssh-dir-777 nft-set-8022
	ipt-single-port-drop ufw-deny-port f2b-banned fw-rollback root-offline}

if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" -Db_sanitize=address,undefined -Dsanitizer-logs=$prefix \
		-Dtests=disabled -Dintegration=false -Dtest-hooks=true
fi
ninja -C "$build" sshrepair
export SSHREPAIR_SANITIZER_LOGS=$prefix

failed=() t0=$SECONDS
for c in $cases; do
	log=$build/sanitize-$c.log
	if tests/integration/run-case.sh "tests/scenarios/$c.sh" "$build/sshrepair" >"$log" 2>&1; then
		tail -n 1 "$log"
	else
		cat "$log"
		failed+=("$c")
	fi
done
echo "sanitizer integration: $(wc -w <<<"$cases") cases in $((SECONDS - t0)) s, ${#failed[@]} failed ${failed[*]}"
((${#failed[@]} == 0))
