#pragma once

/* Augeas, with the Sshd lens, on a tree rooted at 'root' ("/" for the live host, a fixture
 * or staging directory otherwise). Only files added with sshd_aug_load_file() are parsed. */

#include <augeas.h>

#include "util/macros.h"

DEFINE_CLEANUP_FUNC(augeas, aug_close);
#define _cleanup_aug_ _cleanup_(aug_closep)

int sshd_aug_open(const char *root, augeas **ret);

/* Parses 'path' (as sshd names it, relative to the root). Returns 1 when parsed, 0 when
 * the lens failed (*ret_error and *ret_line say why and where, where known), < 0 on
 * other errors. */
int sshd_aug_load_file(augeas *aug, const char *path, char **ret_error, unsigned *ret_line);

/* True when 'path' can be spelled inside an Augeas path expression as is. */
bool sshd_aug_path_ok(const char *path);

/* The byte offset where the node at 'node' begins in its file. */
int sshd_aug_node_offset(augeas *aug, const char *node, unsigned *ret);

/* One edit of one file under 'root', saved in place (the caller decides where 'root' is:
 * a staging copy). Operations, with their arguments after the file:
 *   "set"         NODE VALUE             change the value of an existing line
 *   "add"         SCOPE KEYWORD VALUE    add a line in SCOPE (the file's node or a Match's
 *                                        Settings): after the last line with KEYWORD, else
 *                                        before the first Match, else at the end
 *   "list-add"    NODE WORD              add a word to an Allow/Deny line
 *   "list-remove" NODE WORD              remove a word; the line goes when it was the last
 *   "comment-out" NODE                   replace the line by "# sshrepair disabled: LINE"
 * Returns 1 when the file changed, 0 when it already was as asked (idempotent), < 0 on
 * failure with *ret_error (caller frees) saying why. */
int sshd_aug_edit(const char *root, const char *file, const char *operation, char *const *args, char **ret_error);
