#pragma once

/* The iptables programs of one variant and family, and running them. */

#include "model.h"
#include "util/exec.h"

enum ipt_program {
        IPT_PROGRAM_CMD,     /* iptables-nft */
        IPT_PROGRAM_SAVE,    /* iptables-nft-save */
        IPT_PROGRAM_RESTORE, /* iptables-nft-restore */
        _IPT_PROGRAM_MAX,
};

/* "iptables-nft-save", "ip6tables-legacy" */
const char *ipt_program_name(enum ipt_variant v, int family, enum ipt_program p);
/* What a person types: plain "iptables" when it is this variant, else the variant's name. */
const char *ipt_command_name(enum ipt_variant v, int family, bool is_default);
/* The absolute path, or NULL when not installed; the caller frees. */
char *ipt_program_path(enum ipt_variant v, int family, enum ipt_program p);
/* Which variant plain `iptables` is; _IPT_VARIANT_MAX when unknown. */
enum ipt_variant ipt_default_variant(void);
/* The same for the system under 'root', from its files (links followed inside it). */
enum ipt_variant ipt_default_variant_in(const char *root);

/* Runs the variant's command with 'args' (after "-w"); fails with a description. */
int ipt_run(enum ipt_variant v, int family, char *const *args, char **ret_error);

int ipt_family_from_string(const char *s);   /* "ipv4" -> AF_INET */
const char *ipt_family_to_string(int family);
