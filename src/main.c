#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "journal.h"
#include "txn.h"
#include "util/log.h"

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL, *state_dir = NULL, *report_path = NULL;
        struct options o;
        int r;

        r = cli_parse(argc, argv, &o, &error);
        if (r < 0) {
                log_error("%s", error ?: "bad arguments");
                fputs("Try 'sshrepair --help'.\n", stderr);
                return 2;
        }
        log_set_max_level(o.verbose > 1 ? LOG_LEVEL_DEBUG : o.verbose ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING);

        /* Offline (--root DIR), the journal and the report belong to the system at DIR. */
        state_dir = options_path(&o, SSHREPAIR_STATE_DIR);
        report_path = options_path(&o, SSHREPAIR_REPORT_PATH);
        if (!state_dir || !report_path) {
                log_error("Out of memory.");
                options_done(&o);
                return 1;
        }

        switch (o.command) {
        case COMMAND_HELP:
                cli_help(stdout);
                r = 0;
                break;
        case COMMAND_VERSION:
#ifdef SSHREPAIR_TEST_HOOKS
                puts("sshrepair " PROJECT_VERSION " +test-hooks");
#else
                puts("sshrepair " PROJECT_VERSION);
#endif
                r = 0;
                break;
        case COMMAND_REPAIR:
                r = engine_repair(&o, &(struct engine_io) {
                        .out = stdout,
                        .progress = o.json ? stderr : stdout,
                        .tty_in = isatty(STDIN_FILENO) ? stdin : NULL,
                        .state_dir = state_dir,
                        .report_path = report_path,
                });
                break;
        case COMMAND_STATUS:
                r = txn_status(state_dir, o.json, stdout);
                break;
        case COMMAND_ROLLBACK:
                r = txn_rollback_id(state_dir, o.root, o.txn_id, o.if_unconfirmed, stdout);
                break;
        case COMMAND_CONFIRM:
                r = txn_confirm(state_dir, o.txn_id, stdout);
                break;
        case COMMAND_RECOVER:
                r = txn_recover(state_dir, o.root, stdout);
                break;
        default:
                r = 2;
        }
        options_done(&o);
        return r;
}
