#!/bin/sh
# Static analysis of the C sources; any finding fails.
#
# 1. cppcheck (Debian 12: cppcheck 2.10). memleak is left out: cppcheck does not understand
#    __attribute__((cleanup)) and reports every _cleanup_free_ variable; leaks are caught at
#    run time instead, by LeakSanitizer in the sanitizer unit tests and in the fuzzers.
# 2. clang-tidy (Debian 12: clang-tidy 14) with the checked-in .clang-tidy, on every .c file
#    of src/, plans/ and backends/, compiled as the build directory compiles them:
#      tests/lint.sh [BUILDDIR]   (default: a fresh build-lint, set up here if missing)
#    LINT_JOBS (default: the number of CPUs) files are checked at a time.
set -eu
cd "$(dirname "$0")/.."

cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -D_GNU_SOURCE \
	-I src -I backends -I . --suppress=memleak --inline-suppr \
	--template='{file}:{line}: {severity}: {id}: {message}' src plans backends

build=${1:-build-lint}
if [ ! -f "$build/compile_commands.json" ]; then
	meson setup "$build" -Dtests=disabled -Dintegration=false >/dev/null
fi
tidy=$(command -v clang-tidy || command -v clang-tidy-14)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -quiet: no "N warnings generated" noise; warnings are errors (.clang-tidy WarningsAsErrors)
if ! find src plans backends -name '*.c' -print0 | sort -z |
	xargs -0 -n 4 -P "${LINT_JOBS:-$(nproc)}" "$tidy" -quiet -p "$build" >"$log" 2>&1; then
	grep -E 'warning:|error:' "$log" | sort -u
	echo "clang-tidy: findings above (full output: rerun with the same command)" >&2
	exit 1
fi
echo "lint: cppcheck and clang-tidy clean"
