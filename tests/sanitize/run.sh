#!/bin/bash
# tests/sanitize/run.sh [BUILDDIR]: a few integration scenarios against an ASan+UBSan build
# of the binary, for a quick look by hand (root, like the integration suite). CI runs every
# scenario sanitized instead: its build-ci is such a build (README.md), and
# `meson test -C BUILDDIR --suite integration [NAME...]` does the same as this script.
# BUILDDIR (default build-san) is set up here when missing:
#   meson setup build-san -Db_sanitize=address,undefined -Dsanitizer-logs=/var/log/sshrepair-sanitizer \
#         -Dtests=disabled -Dintegration=false -Dtest-hooks=true
# The binary links the sanitizer runtimes statically (the container has none) and carries
# its options (tests/sanitize/options.c): reports go to /var/log/sshrepair-sanitizer-*
# in the container, from the tool and from the units it starts (recovery, confirm
# watchdog); run-case.sh recognises such a binary, prints the reports and fails the case.
# A report also ends the process with exit status 99, which no scenario expects.
# LeakSanitizer is on: a leak at exit is a report too.
#
# One scenario per backend, a rollback across frontends and the offline mode (nine cases,
# about two minutes); SANITIZE_CASES="a b" replaces the list.
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
# (run-case.sh reads the prefix from the binary; this only guards against a BUILDDIR set
# up without -Dsanitizer-logs, which would check nothing)
grep -q -a -F "log_path=$prefix-asan:" "$build/sshrepair" ||
	{ echo "FAIL: $build/sshrepair is not a -Dsanitizer-logs=$prefix build" >&2; exit 1; }

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
