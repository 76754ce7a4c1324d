#pragma once

/* Facts about sshd's configuration (filled by backends/sshd, read by plans/sshd.c).
 *
 * Two views of the same configuration: what the files say, line by line, in the order sshd
 * reads them (Include expanded where it stands), and what sshd itself makes of them
 * (`sshd -T`, and `sshd -T -C user=…` for --user so that Match blocks count). The planner
 * needs both: the effective value says whether something is wrong, the line says where to
 * change it. */

#include <stdbool.h>
#include <stddef.h>

/* The keywords this tool reasons about. Table-driven, as in OpenSSH's servconf.c. */
enum sshd_key {
        SSHD_PORT,
        SSHD_LISTEN_ADDRESS,
        SSHD_ADDRESS_FAMILY,
        SSHD_ALLOW_USERS,
        SSHD_DENY_USERS,
        SSHD_ALLOW_GROUPS,
        SSHD_DENY_GROUPS,
        SSHD_PUBKEY_AUTHENTICATION,
        SSHD_PASSWORD_AUTHENTICATION,
        SSHD_PERMIT_ROOT_LOGIN,
        SSHD_PERMIT_EMPTY_PASSWORDS,
        SSHD_KBD_INTERACTIVE_AUTHENTICATION, /* ChallengeResponseAuthentication is its alias */
        SSHD_USE_PAM,
        SSHD_AUTHORIZED_KEYS_FILE,
        _SSHD_KEY_MAX,
        _SSHD_KEY_INVALID = -1,
};

/* The canonical spelling ("PubkeyAuthentication"). */
const char *sshd_key_to_string(enum sshd_key k);
/* Case-insensitive, aliases included; _SSHD_KEY_INVALID for keywords we do not track. */
enum sshd_key sshd_key_from_string(const char *s);
/* The lower-case name `sshd -T` prints. */
const char *sshd_key_dump_name(enum sshd_key k);
/* Keywords that accumulate over lines (Port, ListenAddress, the Allow/Deny lists) rather
 * than taking the first value. */
bool sshd_key_accumulates(enum sshd_key k);
/* Keywords whose value is a list of words stored by the lens as children 1, 2, ... */
bool sshd_key_is_list(enum sshd_key k);

/* One configuration file that sshd reads. */
struct sshd_file {
        char *path;        /* as the configuration names it: "/etc/ssh/sshd_config.d/10-deny.conf" */
        char *target;      /* realpath(): where an edit must go when 'path' is a symlink */
        bool parsed;       /* the Augeas lens parsed it: edits are possible */
        char *error;       /* why not: the lens's or the reader's message */
        unsigned error_line; /* 0: unknown */
};

/* A Match block. */
struct sshd_match {
        char *file;
        unsigned line;
        char *aug_path;  /* "/files/etc/ssh/sshd_config/Match[1]"; NULL when the file was not parsed */
        char *criteria;  /* "User alice" */
        int applies;     /* for --user, as sshd evaluated it: 1 yes, 0 no, -1 unknown */
};

/* One line that sets a keyword we track. */
struct sshd_source {
        enum sshd_key key;
        char *keyword;   /* as written */
        char **values;   /* the words (one for most keywords; several for lists) */
        char *file;
        unsigned line;
        char *aug_path;  /* NULL when the file was not parsed by Augeas */
        int match;       /* -1: global; else the index into matches[] */
};

/* A line that `sshd -t` rejects. */
struct sshd_invalid {
        char *file;
        unsigned line;
        char *text;      /* the line as written, when readable */
        char *aug_path;  /* its Augeas node, when the lens parses the file and a directive starts there */
};

void sshd_invalid_free(struct sshd_invalid *l, size_t n);

/* One entry of an effective Allow/Deny list, and whether it matches --user. */
struct sshd_access {
        enum sshd_key key;
        char *pattern;
        int matches; /* 1, 0, -1 unknown (e.g. a user@host entry without --from) */
};

struct sshd_config_facts {
        bool known;              /* false: the configuration was not read */
        bool effective_from_files; /* offline, sshd could not run: effective[] worked out from the lines */
        char *main_path;         /* "/etc/ssh/sshd_config" */
        bool run_dir_created;    /* the probe created /run/sshd so that sshd -t/-T can run */

        struct sshd_file *files; /* in the order sshd reads them */
        size_t n_files;
        struct sshd_source *sources; /* in the order sshd reads them */
        size_t n_sources;
        struct sshd_match *matches;
        size_t n_matches;
        char **problems;         /* Include loops, unreadable files, ... (for a person) */

        /* sshd -t */
        bool test_ran;
        bool test_ok;
        char **test_messages;    /* what it printed (all rounds, live paths) */
        struct sshd_invalid *invalid; /* every line it names, found by disabling each in a */
        size_t n_invalid;             /* scratch copy and asking again */

        /* sshd -T, without Match; then with -C for --user */
        bool effective_known;
        char **effective[_SSHD_KEY_MAX];
        char **hostkeys;
        char *match_spec;        /* "user=alice,host=…,addr=…,lport=22", or NULL */
        bool user_effective_known;
        char **user_effective[_SSHD_KEY_MAX];

        /* --user */
        bool user_exists;
        bool user_has_keys;      /* an authorized_keys file with at least one key */
        bool user_empty_password; /* the shadow entry holds an empty password */
        bool user_has_default_keys; /* keys in ~/.ssh/authorized_keys, whatever AuthorizedKeysFile says */
        struct sshd_access *access;
        size_t n_access;

        /* socket activation: the socket unit's stream listeners, when it is active */
        char **socket_listen;
        bool socket_listen_known;
        char *socket_dropin;     /* where a drop-in of ours would apply last */

        /* SELinux enforcing: sshd may bind only to ports of type ssh_port_t */
        bool selinux_enforcing;

        /* addresses this host has, for ListenAddress checks */
        char **host_addresses;
        bool host_addresses_known;
};

void sshd_config_facts_done(struct sshd_config_facts *c);

/* The effective values of 'k': for --user when known, else the global ones. NULL: none. */
char *const *sshd_effective(const struct sshd_config_facts *c, enum sshd_key k);
/* The first effective value, or NULL. */
const char *sshd_effective_first(const struct sshd_config_facts *c, enum sshd_key k);

/* The line whose value sshd uses for 'k', given which Match blocks apply (match->applies
 * == 1): the first line inside an applying Match block, else the first global line.
 * NULL: the default is in effect. */
const struct sshd_source *sshd_winning_source(const struct sshd_config_facts *c, enum sshd_key k);
const struct sshd_file *sshd_find_file(const struct sshd_config_facts *c, const char *path);

/* For the report: one line per tracked keyword, "PubkeyAuthentication no (from
 * /etc/ssh/sshd_config.d/50-x.conf line 1)" or "... (default)". The caller frees *ret. */
int sshd_config_describe(const struct sshd_config_facts *c, char ***ret);
