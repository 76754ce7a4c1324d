#include <stdlib.h>

#include "auth/auth-walk.h"
#include "model-auth.h"
#include "util/strv.h"

void auth_facts_done(struct auth_facts *a) {
        if (!a)
                return;
        strv_free(a->hostkeys_present);
        strv_free(a->hostkeys_missing);
        free(a->user);
        free(a->home);
        free(a->shell);
        for (size_t i = 0; i < a->n_keyfiles; i++) {
                free(a->keyfiles[i].pattern);
                free(a->keyfiles[i].path);
                auth_paths_free(a->keyfiles[i].walk, a->keyfiles[i].n_walk);
        }
        free(a->keyfiles);
        *a = (struct auth_facts) {};
}
