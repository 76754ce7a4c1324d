/* Linked into the sshrepair executable only when it is built with -Dsanitizer-logs=PREFIX
 * (and -Db_sanitize=address,undefined), for the integration scenarios in containers: the
 * tool runs there in a clean environment, and as systemd units it starts itself, so the
 * sanitizer options cannot come from ASAN_OPTIONS alone. Every report is written to
 * PREFIX-asan.PID / PREFIX-ubsan.PID (tests/integration/run-case.sh fails a case when one
 * exists), the first error ends the process with exit status 99 (never an exit status the
 * tool uses). The environment still overrides these (ASAN_OPTIONS, UBSAN_OPTIONS).
 *
 * Allocation stacks use ASan's default frame-pointer unwinder (meson compiles the sanitizer
 * build with -fno-omit-frame-pointer). fast_unwind_on_malloc=0 (the DWARF unwinder on every
 * malloc and free) made each run of the tool about 40 times slower (a dry run in the
 * container 8.6 s instead of 0.23 s) and the whole integration suite three times slower;
 * it only adds frames inside Debian's libraries (built without frame pointers) to the
 * allocation stack of a report, and finds nothing more. For such a stack, run the tool by
 * hand with ASAN_OPTIONS=fast_unwind_on_malloc=0. */

#ifndef SANITIZER_LOG_PREFIX
#error "SANITIZER_LOG_PREFIX is not defined"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void) {
        return "log_path=" SANITIZER_LOG_PREFIX "-asan:halt_on_error=1:exitcode=99:abort_on_error=0"
               ":detect_leaks=" SANITIZER_DETECT_LEAKS ":detect_stack_use_after_return=1"
               ":check_initialization_order=1:strict_string_checks=1";
}

const char *__ubsan_default_options(void) {
        return "log_path=" SANITIZER_LOG_PREFIX "-ubsan:halt_on_error=1:exitcode=99:print_stacktrace=1";
}
