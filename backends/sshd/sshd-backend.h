#pragma once

/* Helpers of the sshd backend shared by its files (and its unit tests). */

#include "model.h"

#define SSHD_MAIN_CONFIG "/etc/ssh/sshd_config"

/* The sshd binary, or NULL when none is installed. */
const char *sshd_find_binary(void);

/* The probe of backend_sshd (sshd-probe.c). */
int sshd_probe_facts(const struct options *o, struct facts *f);

/* Maps a path inside a staging directory back to the live one. */
const char *sshd_unstage(const char *dir, const char *path);

/* The -C argument of `sshd -T` for --user: "user=U,host=H,addr=A,lport=P". */
int sshd_match_spec(const struct options *o, char **ret);

/* Every line `sshd -t` rejects in the configuration 'c' describes: sshd stops at the
 * first fatal error, so each is disabled in a scratch copy and sshd asked again. */
int sshd_find_invalid_lines(const char *sshd, const struct sshd_config_facts *c, struct sshd_invalid **ret,
                            size_t *ret_n, char ***ret_messages);
