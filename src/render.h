#pragma once

#include <stdio.h>

#include "model.h"

/* Text for a person at a console. Strings from the host (journal lines, banners, config
 * values) are printed with control characters replaced, so they cannot drive the terminal. */
void render_text_report(FILE *out, const struct options *o, const struct facts *f, const struct plan *p);
void render_text_outcome(FILE *out, const struct outcome *oc);
void render_text_step_begin(FILE *out, size_t i, size_t n, const struct step *s);
void render_text_step_end(FILE *out, int error, char *const *details);

/* One JSON document with everything; the keys are documented in README.md. */
#define RENDER_JSON_SCHEMA_VERSION 1
void render_json(FILE *out, const struct options *o, const struct facts *f, const struct plan *p,
                 const struct outcome *oc);
