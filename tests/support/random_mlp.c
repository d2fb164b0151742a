#include "random_mlp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "common/rng.h"

zki_status zki_random_mlp(const uint32_t *widths, const int *relu, uint32_t n_layers, uint64_t seed,
                          zki_qmodel **out)
{
    *out = NULL;
    if (n_layers < 1)
        return zki_fail(ZKI_ERR_INPUT, "random mlp: no layers");
    zki_qmodel *m = calloc(1, sizeof(*m));
    if (!m)
        return zki_fail(ZKI_ERR_NOMEM, "random mlp");
    zki_rng g;
    zki_rng_seed(&g, seed);
    char name[64];
    int64_t d2[2] = {1, widths[0]};
    int cur = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, d2, 1.0 / 127);
    if (cur < 0)
        goto nomem;
    m->n_inputs = 1;
    m->inputs[0] = cur;
    for (uint32_t l = 0; l < n_layers; l++) {
        int64_t K = widths[l], N = widths[l + 1];
        int64_t wd[2] = {N, K}, bd[1] = {N}, yd[2] = {1, N};
        snprintf(name, sizeof(name), "w%u", l);
        int wt = zki_qmodel_add_tensor(m, name, ZKI_QT_CONST, 8, 2, wd, 0.01);
        snprintf(name, sizeof(name), "b%u", l);
        int bt = zki_qmodel_add_tensor(m, name, ZKI_QT_CONST, 32, 1, bd, 0.0001);
        snprintf(name, sizeof(name), "y%u", l);
        int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 2, yd, 0.05);
        if (wt < 0 || bt < 0 || yt < 0)
            goto nomem;
        m->t[wt].data = malloc(sizeof(int64_t) * (size_t)(N * K));
        m->t[bt].data = malloc(sizeof(int64_t) * (size_t)N);
        if (!m->t[wt].data || !m->t[bt].data)
            goto nomem;
        for (int64_t i = 0; i < N * K; i++)
            m->t[wt].data[i] = (int64_t)zki_rng_below(&g, 255) - 127;
        for (int64_t i = 0; i < N; i++)
            m->t[bt].data[i] = (int64_t)zki_rng_below(&g, 1u << 14) - (1 << 13);
        snprintf(name, sizeof(name), "fc%u", l);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, name);
        if (ni < 0)
            goto nomem;
        zki_qnode *n = &m->nodes[ni];
        n->n_in = 3;
        n->in[0] = cur;
        n->in[1] = wt;
        n->in[2] = bt;
        n->out = yt;
        /* acc ~ sqrt(K) * 73 * 73 for uniform int8 data: scale it to ~ +-40 */
        int s = 20;
        double scale = 40.0 / (sqrt((double)K) * 73.0 * 73.0);
        int64_t M = (int64_t)llround(scale * (double)(1 << s));
        n->n_p = 4;
        n->p[0] = M < 1 ? 1 : M;
        n->p[1] = s;
        n->p[2] = relu[l] ? 0 : -128;
        n->p[3] = 127;
        cur = yt;
    }
    m->n_outputs = 1;
    m->outputs[0] = cur;
    zki_status st = zki_qmodel_check(m);
    if (st) {
        zki_qmodel_free(m);
        return st;
    }
    *out = m;
    return ZKI_OK;
nomem:
    zki_qmodel_free(m);
    return zki_fail(ZKI_ERR_NOMEM, "random mlp");
}

zki_qmodel *zki_clamp_ranges_mlp(uint32_t nl)
{
    uint32_t *widths = malloc((nl + 1) * sizeof *widths);
    int *relu = calloc(nl, sizeof *relu);
    zki_qmodel *m = NULL;
    for (uint32_t i = 0; widths && i <= nl; i++)
        widths[i] = 1;
    zki_status st = widths && relu ? zki_random_mlp(widths, relu, nl, 3, &m) : ZKI_ERR_NOMEM;
    free(widths);
    free(relu);
    if (st != ZKI_OK)
        return NULL;
    int64_t l = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        zki_qnode *n = &m->nodes[i];
        if (n->op != ZKI_QOP_LINEAR)
            continue;
        m->t[n->in[1]].data[0] = 127;
        m->t[n->in[2]].data[0] = 0;
        n->p[0] = (int64_t)1 << 30;
        n->p[1] = 1;
        n->p[2] = -(l % 128);
        n->p[3] = l / 128;
        l++;
    }
    if (zki_qmodel_check(m) != ZKI_OK) {
        zki_qmodel_free(m);
        return NULL;
    }
    return m;
}
