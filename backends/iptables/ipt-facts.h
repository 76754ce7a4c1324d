#pragma once

/* From one table's save output to facts: parse, evaluate every requested port, find the
 * rules file loaded at boot ('root' prefixes its paths: "" on a live host). */

#include "model.h"

int ipt_table_facts(const struct options *o, struct fw_facts *fw, struct ipt_table *t, const char *save_text,
                    char **ifaces, const char *root, char **ret_error);

struct ipt_ruleset;

/* The same, for a ruleset parsed already (from save_text); frees rs. */
int ipt_table_facts_parsed(const struct options *o, struct fw_facts *fw, struct ipt_table *t, struct ipt_ruleset *rs,
                           const char *save_text, char **ifaces, const char *root);
