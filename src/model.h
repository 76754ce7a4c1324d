#pragma once

/* The pipeline's data: options → facts → faults → steps → outcome. Plain data, owned by
 * whoever holds the top-level struct; every *_done() frees the members and accepts NULL. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model-auth.h"
#include "model-fw.h"
#include "model-nft.h"
#include "model-sshd.h"
#include "util/macros.h"

#define SSHREPAIR_MAX_PORTS 16

enum command {
        COMMAND_REPAIR,
        COMMAND_STATUS,
        COMMAND_CONFIRM,
        COMMAND_ROLLBACK,
        COMMAND_RECOVER,
        COMMAND_HELP,
        COMMAND_VERSION,
        _COMMAND_MAX,
};

struct cidr {
        int family; /* AF_INET or AF_INET6; 0 = unset */
        union {
                struct in_addr in;
                struct in6_addr in6;
        } addr;
        unsigned prefixlen;
};

struct options {
        enum command command;
        bool dry_run;
        bool yes;
        bool json;
        bool allow_insecure;
        int verbose;
        uint16_t ports[SSHREPAIR_MAX_PORTS];
        size_t n_ports;
        char *user;
        struct cidr from;
        char *root;
        unsigned confirm_sec;
        char *txn_id; /* argument of confirm/rollback */
        bool if_unconfirmed; /* rollback only a transaction still waiting for confirmation */
};

void options_done(struct options *o);

/* --root DIR: the system mounted at DIR is acted on, offline; nothing of the running host
 * (its services, kernel firewall, sockets) is read or changed. o->root is absolute and never
 * "/" (cli.c). */
static inline bool options_offline(const struct options *o) {
        return o && o->root;
}

/* The path under which 'path' (absolute, as the target system sees it) is found here:
 * "DIR/path" offline, a copy of 'path' otherwise. NULL on OOM. */
char *options_path(const struct options *o, const char *path);

/* A systemd unit as the manager reports it. Strings are NULL when unknown. */
struct unit_fact {
        char *name;            /* "ssh.service"; NULL: no such unit on this host */
        char *load_state;      /* loaded, not-found, masked, error */
        char *active_state;    /* active, inactive, failed, activating, ... */
        char *sub_state;       /* running, dead, ... */
        char *unit_file_state; /* enabled, disabled, masked, static, ... */
        char *result;          /* success, exit-code, ... */
        char **journal;        /* last journal lines when the unit failed */
};

struct listen_fact {
        int family;
        char address[INET6_ADDRSTRLEN];
        uint16_t port;
};

/* What one connect to an SSH port found. */
struct probe_result {
        int family;
        char address[INET6_ADDRSTRLEN];
        uint16_t port;
        int error;       /* 0: an SSH-2.0 banner answered; else -errno (-EPROTO: not SSH) */
        char banner[128]; /* the first line received, sanitized */
};

struct facts {
        bool is_root;

        /* service manager */
        bool systemd;         /* PID 1 is systemd and its bus answered */
        char *systemd_error;  /* why not, when !systemd */
        struct unit_fact service; /* ssh.service (Debian) or sshd.service (RHEL) */
        struct unit_fact socket;  /* ssh.socket, where it exists */
        /* a file whose presence keeps the SSH service from starting (Debian's
         * ConditionPathExists=!/etc/ssh/sshd_not_to_be_run), when it is there; NULL: none */
        char *service_blocked_by;

        /* the package manager, to install the OpenSSH server where it is missing */
        struct {
                char *manager; /* "apt-get", "dnf", ...; NULL: none found */
                char *package; /* "openssh-server" */
                char *unit;    /* the service that package ships: "ssh.service" */
        } pkg;

        /* the sshd binary and its configuration */
        char *sshd_path; /* NULL: not installed */
        struct sshd_config_facts sshd_config;

        /* host keys, and whether --user can log in once the port answers */
        struct auth_facts auth;

        /* firewalls */
        struct nft_facts nft;
        struct fw_facts fw; /* iptables, ufw, firewalld, fail2ban */

        /* TCP sockets in LISTEN state, from the kernel */
        struct listen_fact *listen;
        size_t n_listen;
        bool listen_known;

        /* what a connect to each --port on the loopback addresses found, before any change */
        struct probe_result *answers;
        size_t n_answers;

        /* what could not be read, and why: shown with the findings */
        char **unreadable;
};

void unit_fact_done(struct unit_fact *u);
void facts_done(struct facts *f);
bool facts_listening_on(const struct facts *f, uint16_t port);
/* True when some loopback address answered with an SSH banner on 'port'. */
bool facts_port_answers(const struct facts *f, uint16_t port);

enum severity {
        SEVERITY_INFO,
        SEVERITY_WARNING,
        SEVERITY_ERROR,
        _SEVERITY_MAX,
};

enum remedy {
        REMEDY_AUTO,         /* the plan fixes it */
        REMEDY_NEEDS_FLAG,   /* the plan would fix it with a flag such as --allow-insecure */
        REMEDY_NEEDS_PERSON, /* reported only */
        _REMEDY_MAX,
};

struct fault {
        char *id;       /* stable dotted id, e.g. "sshd.inactive" */
        enum severity severity;
        enum remedy remedy;
        char *summary;  /* one line for a person */
        char **evidence;
        char *advice;   /* what a person should do, when the plan does not */
};

struct step {
        char *fault_id;    /* the fault this step remedies */
        char *backend;     /* "systemd" */
        char *operation;   /* "start" */
        char **args;       /* operation arguments, e.g. { "ssh.service" } */
        char *description; /* for a person */
        char *command;     /* what a person would have typed */
        char *undo;        /* the command that undoes it */
};

struct plan {
        struct fault *faults;
        size_t n_faults;
        struct step *steps;
        size_t n_steps;
};

void plan_done(struct plan *p);
bool plan_has_fixable(const struct plan *p);
bool plan_has_unfixable(const struct plan *p);
const struct fault *plan_find_fault(const struct plan *p, const char *id);


enum phase {
        PHASE_NONE,      /* nothing applied (dry-run, declined, nothing to do) */
        PHASE_COMMITTED, /* applied and verified */
        PHASE_AWAITING_CONFIRM, /* applied and verified; rolled back unless confirmed in time */
        PHASE_ROLLED_BACK,
        PHASE_ROLLBACK_FAILED,
        _PHASE_MAX,
};

struct outcome {
        int exit_code;
        enum phase phase;
        char *message;          /* one line: what happened */
        size_t n_applied;       /* steps applied before verification or failure */
        struct probe_result *probes;
        size_t n_probes;
        char *journal_path;     /* where the transaction's record is */
};

void outcome_done(struct outcome *o);

const char *command_to_string(enum command c);
enum command command_from_string(const char *s);
const char *severity_to_string(enum severity s);
const char *remedy_to_string(enum remedy r);
const char *phase_to_string(enum phase p);
