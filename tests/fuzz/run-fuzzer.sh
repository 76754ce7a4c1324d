#!/bin/sh
# run-fuzzer.sh FUZZER SEED_CORPUS_DIR: runs one libFuzzer target for FUZZ_SECONDS (60) on a
# copy of its seed corpus (the repository's corpus is not written to); a crash, leak or
# sanitizer report fails the test and leaves the reproducer in the printed directory.
set -eu
fuzzer=$(realpath "$1")
seeds=$2
work=$(mktemp -d)
mkdir "$work/corpus"
[ -d "$seeds" ] && cp -r "$seeds"/. "$work/corpus/"
cd "$work"
echo "fuzzing $(basename "$fuzzer") for ${FUZZ_SECONDS:-60} s in $work"
"$fuzzer" -error_exitcode=1 -timeout_exitcode=1 -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 corpus
rm -rf "$work"
