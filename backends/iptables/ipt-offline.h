#pragma once

/* Offline (--root DIR): the rules files the tree loads at boot, read and edited in place. */

#include "model.h"

/* Fills f->fw from the tree's rules files; never runs a program or reads the host. */
int ipt_offline_probe(const struct options *o, struct facts *f);

/* Steps "file-delete-rule" and "file-insert-rule": line edits of a rules file. */
int ipt_offline_apply(const struct options *o, const struct step *s, char ***ret_details);
