#!/bin/sh
# Static analysis of the C sources with cppcheck (Debian 12: cppcheck 2.10); any finding
# fails. memleak is left out: cppcheck does not understand __attribute__((cleanup)) and
# reports every _cleanup_free_ variable; leaks are caught at run time instead, by
# LeakSanitizer in the sanitizer unit tests and in the fuzzers.
set -eu
cd "$(dirname "$0")/.."
exec cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -D_GNU_SOURCE \
	-I src -I backends -I . --suppress=memleak --inline-suppr \
	--template='{file}:{line}: {severity}: {id}: {message}' src plans backends
