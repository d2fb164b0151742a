#include "serve/models.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"

static int count_refused(const zki_served_model *m, const char *what)
{
    fprintf(stderr, "zkinfer serve: model %s: the proof count file %s %s; it records the zero-knowledge proofs "
            "this key has spent, so the service will not start without it: restore it, or delete it only if "
            "this key has never served a proof (a missing file means none spent)\n", m->name, m->count_path, what);
    return -1;
}

/* The count file: "USED BUDGET VKHEX". A missing file means none spent; a
 * file for another key (compiled anew) does not count. One that cannot be
 * read or parsed is refused: taking it as 0 would restore the full budget. */
static int read_count(const zki_served_model *m, uint32_t *used_out)
{
    *used_out = 0;
    FILE *f = fopen(m->count_path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        char what[160];
        snprintf(what, sizeof what, "cannot be opened (%s)", strerror(errno));
        return count_refused(m, what);
    }
    unsigned long used = 0, budget = 0;
    char hex[80] = {0}, rest[2] = {0};
    int got = fscanf(f, "%lu %lu %79s %1s", &used, &budget, hex, rest);
    int read_error = ferror(f);
    fclose(f);
    if (read_error)
        return count_refused(m, "cannot be read");
    if (got != 3 || strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
        return count_refused(m, "is not \"USED BUDGET KEY-DIGEST\" (empty or corrupt)");
    if (strcmp(hex, m->vk_hex))
        return 0;
    if (budget != m->budget) {
        char what[160];
        snprintf(what, sizeof what, "gives a budget of %lu proofs where the key has %u", budget, m->budget);
        return count_refused(m, what);
    }
    *used_out = used > m->budget ? m->budget : (uint32_t)used;
    return 0;
}

static int write_count(const zki_served_model *m, uint32_t used)
{
    size_t n = strlen(m->count_path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp", m->count_path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "%u %u %s\n", used, m->budget, m->vk_hex) > 0;
    ok = f && fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (f && fclose(f) != 0)
        ok = 0;
    ok = ok && rename(tmp, m->count_path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

static int load_one(zki_served_model *m, const char *spec, int copies, int workers)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1] || (size_t)(eq - spec) >= sizeof m->name) {
        fprintf(stderr, "zkinfer serve: --model '%s': give NAME=PATH.zkm (a name of 1 to 63 characters)\n", spec);
        return -1;
    }
    memcpy(m->name, spec, (size_t)(eq - spec));
    for (const char *c = m->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-' || *c == '.')) {
            fprintf(stderr, "zkinfer serve: --model '%s': the name may hold letters, digits, '_', '-' and '.' only\n",
                    spec);
            return -1;
        }
    m->zkm_path = strdup(eq + 1);
    m->zpk_path = zki_cli_with_ext(eq + 1, ".zpk");
    m->count_path = zki_cli_with_ext(eq + 1, ".zpk.count");
    if (!m->zkm_path || !m->zpk_path || !m->count_path)
        return -1;
    zki_model *model = NULL;
    if (zki_model_load(m->zkm_path, &model) != ZKI_OK) {
        fprintf(stderr, "zkinfer serve: model %s: %s\n", m->name, zki_last_error());
        return -1;
    }
    m->pk = calloc((size_t)copies, sizeof *m->pk);
    m->pk_lock = calloc((size_t)copies, sizeof *m->pk_lock);
    m->vk = calloc((size_t)workers, sizeof *m->vk);
    if (!m->pk || !m->pk_lock || !m->vk) {
        zki_model_destroy(model);
        return -1;
    }
    for (int k = 0; k < copies; k++) {
        if (zki_pk_load(model, m->zpk_path, &m->pk[k]) != ZKI_OK) {
            fprintf(stderr, "zkinfer serve: model %s: prover key %s: %s (run zkinfer compile first)\n", m->name,
                    m->zpk_path, zki_last_error());
            zki_model_destroy(model);
            return -1;
        }
        pthread_mutex_init(&m->pk_lock[k], NULL);
        m->n_pk = k + 1;
    }
    zki_model_destroy(model);
    const zki_vk *vk = zki_pk_vk(m->pk[0]);
    unsigned char dg[32];
    if (zki_vk_info(vk, &m->info) != ZKI_OK || zki_vk_digest(vk, dg) != ZKI_OK ||
        zki_vk_serialize(vk, &m->vk_bytes, &m->vk_len) != ZKI_OK) {
        fprintf(stderr, "zkinfer serve: model %s: %s\n", m->name, zki_last_error());
        return -1;
    }
    if (m->info.input.scale <= 0) {
        fprintf(stderr, "zkinfer serve: model %s takes integer input (e.g. token ids); the service proves models "
                "with float input only\n", m->name);
        return -1;
    }
    for (int k = 0; k < workers; k++) {
        if (zki_vk_parse(m->vk_bytes, m->vk_len, &m->vk[k]) != ZKI_OK) {
            fprintf(stderr, "zkinfer serve: model %s: %s\n", m->name, zki_last_error());
            return -1;
        }
        m->n_vk = k + 1;
    }
    for (int k = 0; k < 32; k++)
        snprintf(m->vk_hex + 2 * k, 3, "%02x", dg[k]);
    m->budget = m->info.zk_proofs;
    if (read_count(m, &m->used))
        return -1;
    m->recorded = m->used;
    pthread_mutex_init(&m->lock, NULL);
    return 0;
}

int zki_models_load(zki_model_set *set, char **specs, int n_specs, int key_copies, int workers)
{
    set->m = calloc((size_t)n_specs, sizeof *set->m);
    set->n = 0;
    if (!set->m)
        return -1;
    for (int k = 0; k < n_specs; k++) {
        zki_served_model *m = &set->m[k];
        int rc = load_one(m, specs[k], key_copies, workers);
        set->n = k + 1;
        if (rc)
            return -1;
        for (int j = 0; j < k; j++)
            if (!strcmp(set->m[j].name, m->name)) {
                fprintf(stderr, "zkinfer serve: two models are named '%s'\n", m->name);
                return -1;
            } else if (!strcmp(set->m[j].vk_hex, m->vk_hex)) {
                /* each would keep its own count: the key's budget spent twice */
                fprintf(stderr, "zkinfer serve: models '%s' (%s) and '%s' (%s) are the same key (verification-key "
                        "digest %s); a key has one zero-knowledge proof budget, so serve it under one name\n",
                        set->m[j].name, set->m[j].zkm_path, m->name, m->zkm_path, m->vk_hex);
                return -1;
            }
    }
    return 0;
}

void zki_models_free(zki_model_set *set)
{
    for (int k = 0; k < set->n; k++) {
        zki_served_model *m = &set->m[k];
        /* a clean stop gives back the rest of the block written ahead */
        if (m->count_path && m->recorded > m->used && write_count(m, m->used))
            fprintf(stderr, "zkinfer serve: model %s: could not write the exact count (%u) to %s; it says %u\n",
                    m->name, m->used, m->count_path, m->recorded);
        for (int j = 0; j < m->n_pk; j++) {
            zki_pk_destroy(m->pk[j]);
            pthread_mutex_destroy(&m->pk_lock[j]);
        }
        for (int j = 0; j < m->n_vk; j++)
            zki_vk_destroy(m->vk[j]);
        free(m->pk);
        free(m->pk_lock);
        free(m->vk);
        zki_free(m->vk_bytes);
        free(m->zkm_path);
        free(m->zpk_path);
        free(m->count_path);
    }
    free(set->m);
    set->m = NULL;
    set->n = 0;
}

zki_served_model *zki_models_find(zki_model_set *set, const char *name)
{
    for (int k = 0; k < set->n; k++)
        if (!strcmp(set->m[k].name, name))
            return &set->m[k];
    return NULL;
}

int zki_served_reserve_proof(zki_served_model *m, char *msg, size_t msgn)
{
    pthread_mutex_lock(&m->lock);
    int rc = 0;
    if (m->used >= m->budget) {
        rc = 1;
    } else if (m->used >= m->recorded) {
        uint32_t ahead = m->budget - m->used > ZKI_COUNT_BLOCK ? m->used + ZKI_COUNT_BLOCK : m->budget;
        if (write_count(m, ahead)) {
            snprintf(msg, msgn, "cannot record the proof count in %s; make its folder writable", m->count_path);
            rc = -1;
        } else {
            m->recorded = ahead;
        }
    }
    if (!rc)
        m->used++;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

uint32_t zki_served_proofs_left(zki_served_model *m)
{
    pthread_mutex_lock(&m->lock);
    uint32_t left = m->budget - m->used;
    pthread_mutex_unlock(&m->lock);
    return left;
}
