#include <string.h>
#include <strings.h>

#include "model-sshd.h"
#include "util/strv.h"

static const struct {
        const char *name;
        const char *dump;   /* as `sshd -T` prints it */
        bool accumulates;
        bool list;
} key_table[_SSHD_KEY_MAX] = {
        [SSHD_PORT] = { "Port", "port", true, false },
        [SSHD_LISTEN_ADDRESS] = { "ListenAddress", "listenaddress", true, false },
        [SSHD_ADDRESS_FAMILY] = { "AddressFamily", "addressfamily", false, false },
        [SSHD_ALLOW_USERS] = { "AllowUsers", "allowusers", true, true },
        [SSHD_DENY_USERS] = { "DenyUsers", "denyusers", true, true },
        [SSHD_ALLOW_GROUPS] = { "AllowGroups", "allowgroups", true, true },
        [SSHD_DENY_GROUPS] = { "DenyGroups", "denygroups", true, true },
        [SSHD_PUBKEY_AUTHENTICATION] = { "PubkeyAuthentication", "pubkeyauthentication", false, false },
        [SSHD_PASSWORD_AUTHENTICATION] = { "PasswordAuthentication", "passwordauthentication", false, false },
        [SSHD_PERMIT_ROOT_LOGIN] = { "PermitRootLogin", "permitrootlogin", false, false },
        [SSHD_PERMIT_EMPTY_PASSWORDS] = { "PermitEmptyPasswords", "permitemptypasswords", false, false },
        [SSHD_KBD_INTERACTIVE_AUTHENTICATION] = { "KbdInteractiveAuthentication", "kbdinteractiveauthentication",
                                                  false, false },
        [SSHD_USE_PAM] = { "UsePAM", "usepam", false, false },
        [SSHD_AUTHORIZED_KEYS_FILE] = { "AuthorizedKeysFile", "authorizedkeysfile", false, false },
};

static const struct {
        const char *alias;
        enum sshd_key key;
} key_aliases[] = {
        { "ChallengeResponseAuthentication", SSHD_KBD_INTERACTIVE_AUTHENTICATION },
};

const char *sshd_key_to_string(enum sshd_key k) {
        return k >= 0 && k < _SSHD_KEY_MAX ? key_table[k].name : NULL;
}

const char *sshd_key_dump_name(enum sshd_key k) {
        return k >= 0 && k < _SSHD_KEY_MAX ? key_table[k].dump : NULL;
}

bool sshd_key_accumulates(enum sshd_key k) {
        return k >= 0 && k < _SSHD_KEY_MAX && key_table[k].accumulates;
}

bool sshd_key_is_list(enum sshd_key k) {
        return k >= 0 && k < _SSHD_KEY_MAX && key_table[k].list;
}

enum sshd_key sshd_key_from_string(const char *s) {
        if (!s)
                return _SSHD_KEY_INVALID;
        for (int i = 0; i < _SSHD_KEY_MAX; i++)
                if (strcasecmp(key_table[i].name, s) == 0)
                        return (enum sshd_key) i;
        for (size_t i = 0; i < ELEMENTSOF(key_aliases); i++)
                if (strcasecmp(key_aliases[i].alias, s) == 0)
                        return key_aliases[i].key;
        return _SSHD_KEY_INVALID;
}

void sshd_invalid_free(struct sshd_invalid *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].file);
                free(l[i].text);
                free(l[i].aug_path);
        }
        free(l);
}

void sshd_config_facts_done(struct sshd_config_facts *c) {
        if (!c)
                return;
        free(c->main_path);
        for (size_t i = 0; i < c->n_files; i++) {
                free(c->files[i].path);
                free(c->files[i].target);
                free(c->files[i].error);
        }
        free(c->files);
        for (size_t i = 0; i < c->n_sources; i++) {
                free(c->sources[i].keyword);
                strv_free(c->sources[i].values);
                free(c->sources[i].file);
                free(c->sources[i].aug_path);
        }
        free(c->sources);
        for (size_t i = 0; i < c->n_matches; i++) {
                free(c->matches[i].file);
                free(c->matches[i].aug_path);
                free(c->matches[i].criteria);
        }
        free(c->matches);
        strv_free(c->problems);
        strv_free(c->test_messages);
        sshd_invalid_free(c->invalid, c->n_invalid);
        for (int k = 0; k < _SSHD_KEY_MAX; k++) {
                strv_free(c->effective[k]);
                strv_free(c->user_effective[k]);
        }
        strv_free(c->hostkeys);
        free(c->match_spec);
        for (size_t i = 0; i < c->n_access; i++)
                free(c->access[i].pattern);
        free(c->access);
        strv_free(c->host_addresses);
        strv_free(c->socket_listen);
        free(c->socket_dropin);
        *c = (struct sshd_config_facts) {};
}

char *const *sshd_effective(const struct sshd_config_facts *c, enum sshd_key k) {
        if (k < 0 || k >= _SSHD_KEY_MAX)
                return NULL;
        if (c->user_effective_known)
                return c->user_effective[k];
        return c->effective[k];
}

const char *sshd_effective_first(const struct sshd_config_facts *c, enum sshd_key k) {
        char *const *v = sshd_effective(c, k);

        return v ? v[0] : NULL;
}

const struct sshd_source *sshd_winning_source(const struct sshd_config_facts *c, enum sshd_key k) {
        const struct sshd_source *global = NULL;

        for (size_t i = 0; i < c->n_sources; i++) {
                const struct sshd_source *s = &c->sources[i];

                if (s->key != k)
                        continue;
                if (s->match >= 0 && (size_t) s->match < c->n_matches && c->matches[s->match].applies == 1)
                        return s;
                if (s->match < 0 && !global)
                        global = s;
        }
        return global;
}

const struct sshd_file *sshd_find_file(const struct sshd_config_facts *c, const char *path) {
        for (size_t i = 0; i < c->n_files; i++)
                if (streq(c->files[i].path, path))
                        return &c->files[i];
        return NULL;
}

int sshd_config_describe(const struct sshd_config_facts *c, char ***ret) {
        char **l = NULL;

        for (int k = 0; k < _SSHD_KEY_MAX; k++) {
                char *const *v = sshd_effective(c, (enum sshd_key) k);
                const struct sshd_source *src = sshd_winning_source(c, (enum sshd_key) k);
                char *joined, *line;

                if (!v && !src)
                        continue;
                joined = strv_join(v, " ");
                if (!joined)
                        goto oom;
                if (src && src->match >= 0)
                        line = strprintf("%s %s (from %s line %u, in 'Match %s')", sshd_key_to_string((enum sshd_key) k),
                                         v ? joined : "?", src->file, src->line, c->matches[src->match].criteria);
                else if (src)
                        line = strprintf("%s %s (from %s line %u)", sshd_key_to_string((enum sshd_key) k),
                                         v ? joined : "?", src->file, src->line);
                else
                        line = strprintf("%s %s (default)", sshd_key_to_string((enum sshd_key) k), joined);
                free(joined);
                if (!line || strv_consume(&l, line) < 0) {
                        free(line);
                        goto oom;
                }
        }
        *ret = l;
        return 0;
oom:
        strv_free(l);
        return -ENOMEM;
}
