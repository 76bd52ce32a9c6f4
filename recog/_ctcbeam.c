/* Lexicon-free CTC prefix beam search with a character LM and hotword bias, CTC alignment, and the character
 * LM's Witten-Bell distributions, in C.
 *
 * The search loop of recog.beam's "beam" decoder (the module docstring there states the objective):
 * per frame, the K kept prefixes and their C candidate characters are ranked together, the winners kept.
 * The character LM stays in Python (any recog.lm.CharLanguageModel): it is called back only when a kept
 * extension reaches an LM context this search has not seen, and answers with that context's id and its
 * row of log-probabilities (index 0: end of text, k >= 1: token k). Everything else runs here.
 *
 *   contexts(start_row, V) -> capsule: the LM contexts met so far (their rows and a (context, token) -> context
 *                 memo), kept across searches by the caller; id 0 is the start context
 *   search(lp, T, V, beam, beam_token, threshold, prune, lm_weight, char_bonus,
 *          extend, contexts, hot_children, hot_gain, hot_ends, space) -> [(tokens, score), ...] best first
 *
 *   lp            float64 buffer (T, V): log-posteriors, token 0 = blank
 *   extend        None (no LM) or callable (ctx_id, token) -> (child_id, row | None); ids are dense from 0
 *                 and a row (float64 buffer (V,): index 0 the end of text, k token k) comes with every new id
 *   contexts      the capsule of contexts() the ids refer to (None without an LM)
 *   hot_*         None or the hotword trie: children int32 (N, V) (-1: none), gain float64 (N,), ends uint8 (N,)
 *   space         the space token (-1: none): a hotword starts only at a word boundary
 *
 *   align(lp, T, V, tokens, optional, states) -> None: the CTC Viterbi path of `tokens` through lp, as the
 *                 index of its state in [0, t1, 0, t2, ..., 0] per frame, written to `states` (int64 (T,));
 *                 tokens equal to `optional` (>= 1; 0: none) may take no frame. ValueError if they do not fit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NEG (-INFINITY)

static inline double logaddexp(double a, double b) {
    if (a == NEG) return b;
    if (b == NEG) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

typedef struct {
    int node;        /* prefix tree node */
    double pb, pnb;  /* log P of the blank- / character-ending paths */
    double bias;     /* LM + hotword + bonus score so far */
    int last;        /* last token (0: none) */
    int ctx;         /* LM context id */
    int hot;         /* hotword trie node */
    int start;       /* a word starts here */
} Prefix;

typedef struct {
    int *parent, *token;
    Py_ssize_t n, cap;
} Tree;

typedef struct {
    /* LM contexts met in this search: their rows (borrowed from the buffers held here) */
    Py_buffer *views;
    const double **rows;
    Py_ssize_t n, cap;
    /* (ctx, token) -> child ctx, open addressing */
    int64_t *keys;
    int *vals;
    Py_ssize_t slots, used;
} Contexts;

typedef struct {
    const int32_t *children;
    const double *gain;
    const uint8_t *ends;
} Hot;

static int tree_add(Tree *t, int parent, int token) {
    if (t->n == t->cap) {
        Py_ssize_t cap = t->cap ? 2 * t->cap : 256;
        int *p = realloc(t->parent, cap * sizeof(int)), *k;
        if (!p) return -1;
        t->parent = p;
        k = realloc(t->token, cap * sizeof(int));
        if (!k) return -1;
        t->token = k;
        t->cap = cap;
    }
    t->parent[t->n] = parent;
    t->token[t->n] = token;
    return (int)t->n++;
}

static int ctx_store_row(Contexts *c, PyObject *row, Py_ssize_t v) {
    if (c->n == c->cap) {
        Py_ssize_t cap = c->cap ? 2 * c->cap : 64;
        Py_buffer *vw = realloc(c->views, cap * sizeof(Py_buffer));
        if (!vw) { PyErr_NoMemory(); return -1; }
        c->views = vw;
        const double **r = realloc((void *)c->rows, cap * sizeof(double *));
        if (!r) { PyErr_NoMemory(); return -1; }
        c->rows = r;
        c->cap = cap;
    }
    Py_buffer *view = &c->views[c->n];
    if (PyObject_GetBuffer(row, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != 8 || !view->format || strcmp(view->format, "d") != 0 || view->len != v * 8) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "an LM row must be %zd float64 values", v);
        return -1;
    }
    c->rows[c->n] = (const double *)view->buf;
    c->n++;
    return 0;
}

static void ctx_free(Contexts *c) {
    for (Py_ssize_t i = 0; i < c->n; i++) PyBuffer_Release(&c->views[i]);
    free(c->views);
    free((void *)c->rows);
    free(c->keys);
    free(c->vals);
    free(c);
}

#define CONTEXTS "recog._ctcbeam.contexts"

static void contexts_destroy(PyObject *capsule) {
    Contexts *c = PyCapsule_GetPointer(capsule, CONTEXTS);
    if (c) ctx_free(c);
}

static PyObject *contexts(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *start_row;
    Py_ssize_t v;
    if (!PyArg_ParseTuple(args, "On", &start_row, &v)) return NULL;
    Contexts *c = calloc(1, sizeof(Contexts));
    if (!c) return PyErr_NoMemory();
    if (ctx_store_row(c, start_row, v) < 0) { ctx_free(c); return NULL; }
    PyObject *capsule = PyCapsule_New(c, CONTEXTS, contexts_destroy);
    if (!capsule) ctx_free(c);
    return capsule;
}

static int memo_grow(Contexts *c) {
    Py_ssize_t slots = c->slots ? 2 * c->slots : 1024;
    int64_t *keys = malloc(slots * sizeof(int64_t));
    int *vals = malloc(slots * sizeof(int));
    if (!keys || !vals) { free(keys); free(vals); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < slots; i++) keys[i] = -1;
    for (Py_ssize_t i = 0; i < c->slots; i++) {
        if (c->keys[i] < 0) continue;
        Py_ssize_t h = (Py_ssize_t)((uint64_t)c->keys[i] * 0x9E3779B97F4A7C15ULL >> 20) & (slots - 1);
        while (keys[h] >= 0) h = (h + 1) & (slots - 1);
        keys[h] = c->keys[i];
        vals[h] = c->vals[i];
    }
    free(c->keys);
    free(c->vals);
    c->keys = keys;
    c->vals = vals;
    c->slots = slots;
    return 0;
}

/* The LM context after reading `token` in context `ctx`: from the memo, else asked of Python. -1 on error. */
static int ctx_child(Contexts *c, PyObject *extend, int ctx, int token, Py_ssize_t v) {
    if (2 * (c->used + 1) > c->slots && memo_grow(c) < 0) return -1;
    int64_t key = (int64_t)ctx * v + token;
    Py_ssize_t h = (Py_ssize_t)((uint64_t)key * 0x9E3779B97F4A7C15ULL >> 20) & (c->slots - 1);
    while (c->keys[h] >= 0) {
        if (c->keys[h] == key) return c->vals[h];
        h = (h + 1) & (c->slots - 1);
    }
    PyObject *res = PyObject_CallFunction(extend, "ii", ctx, token);
    if (!res) return -1;
    PyObject *id_obj, *row;
    if (!PyArg_ParseTuple(res, "OO", &id_obj, &row)) { Py_DECREF(res); return -1; }
    long child = PyLong_AsLong(id_obj);
    if (child == -1 && PyErr_Occurred()) { Py_DECREF(res); return -1; }
    if (child < 0 || child > c->n) {
        Py_DECREF(res);
        PyErr_Format(PyExc_ValueError, "LM context id %ld out of order (have %zd)", child, c->n);
        return -1;
    }
    if (child == c->n) {
        if (row == Py_None) {
            Py_DECREF(res);
            PyErr_SetString(PyExc_ValueError, "a new LM context came without its row");
            return -1;
        }
        if (ctx_store_row(c, row, v) < 0) { Py_DECREF(res); return -1; }
    }
    Py_DECREF(res);
    c->keys[h] = key;
    c->vals[h] = (int)child;
    c->used++;
    return (int)child;
}

/* Hotword trie step from `node` reading token `k` (see recog.beam._HotwordTrie.step). */
static inline int hot_step(const Hot *hot, int node, int at_boundary, int k, int space, Py_ssize_t v, double *gain) {
    int nxt = node ? hot->children[(Py_ssize_t)node * v + k] : -1;
    if (nxt >= 0) { *gain = hot->gain[nxt] - hot->gain[node]; return nxt; }
    double refund = (hot->ends[node] && k == space) ? 0.0 : hot->gain[node];
    int start = (at_boundary && k != space) ? hot->children[k] : -1;
    if (start >= 0) { *gain = hot->gain[start] - refund; return start; }
    *gain = -refund;
    return 0;
}

typedef struct { double score; Py_ssize_t index; } Ranked;

static int by_score_desc(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_index(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct { double lp; int k; } Cand;

static int cand_desc(const void *a, const void *b) {
    const Cand *x = a, *y = b;
    if (x->lp != y->lp) return x->lp > y->lp ? -1 : 1;
    return x->k - y->k;
}

static int cand_token(const void *a, const void *b) { return ((const Cand *)a)->k - ((const Cand *)b)->k; }

static int get_buffer(PyObject *obj, Py_buffer *view, const char *fmt, Py_ssize_t itemsize, Py_ssize_t n, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != itemsize || !view->format || !strchr(fmt, view->format[0]) || view->format[1] || view->len != n * itemsize) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s must be %zd contiguous values of %zd bytes", what, n, itemsize);
        return -1;
    }
    return 0;
}

static PyObject *search(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lp_obj, *extend, *contexts_obj, *hot_children_obj, *hot_gain_obj, *hot_ends_obj;
    Py_ssize_t t_len, v;
    int beam, beam_token, space;
    double threshold, prune, lm_weight, char_bonus;
    if (!PyArg_ParseTuple(args, "Onniidddd" "OOOOOi", &lp_obj, &t_len, &v, &beam, &beam_token, &threshold, &prune,
                          &lm_weight, &char_bonus, &extend, &contexts_obj, &hot_children_obj, &hot_gain_obj, &hot_ends_obj,
                          &space))
        return NULL;
    if (beam < 1 || beam_token < 1 || v < 2 || t_len < 0) {
        PyErr_SetString(PyExc_ValueError, "beam and beam_token must be >= 1 and V >= 2");
        return NULL;
    }
    int use_lm = extend != Py_None, use_hot = hot_children_obj != Py_None;
    Py_buffer lp_view, hc_view = {0}, hg_view = {0}, he_view = {0};
    if (get_buffer(lp_obj, &lp_view, "d", 8, t_len * v, "log-probabilities") < 0) return NULL;
    const double *lp = lp_view.buf;
    Hot hot = {0};
    if (use_hot) {
        Py_ssize_t nodes = PyObject_Length(hot_gain_obj);
        if (nodes < 1) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "a hotword trie needs at least its root node");
            PyBuffer_Release(&lp_view);
            return NULL;
        }
        if (get_buffer(hot_children_obj, &hc_view, "ilI", 4, nodes * v, "hotword children") < 0) {
            PyBuffer_Release(&lp_view);
            return NULL;
        }
        if (get_buffer(hot_gain_obj, &hg_view, "d", 8, nodes, "hotword gains") < 0) {
            PyBuffer_Release(&hc_view); PyBuffer_Release(&lp_view);
            return NULL;
        }
        if (get_buffer(hot_ends_obj, &he_view, "B?b", 1, nodes, "hotword ends") < 0) {
            PyBuffer_Release(&hg_view); PyBuffer_Release(&hc_view); PyBuffer_Release(&lp_view);
            return NULL;
        }
        hot.children = hc_view.buf;
        hot.gain = hg_view.buf;
        hot.ends = he_view.buf;
    }

    PyObject *out = NULL;
    Tree tree = {0};
    Contexts *ctx = NULL;
    int width = beam_token < v - 1 ? beam_token : (int)(v - 1);
    Py_ssize_t most = (Py_ssize_t)beam + 1;  /* prefixes alive */
    Prefix *cur = malloc(most * sizeof(Prefix)), *nxt = malloc(most * sizeof(Prefix));
    double *ext = malloc(most * width * sizeof(double)), *gain = malloc(most * width * sizeof(double));
    Ranked *ranked = malloc(most * (width + 1) * sizeof(Ranked));
    Cand *cand = malloc((v - 1) * sizeof(Cand));
    if (!cur || !nxt || !ext || !gain || !ranked || !cand) { PyErr_NoMemory(); goto done; }
    if (tree_add(&tree, -1, 0) < 0) { PyErr_NoMemory(); goto done; }
    if (use_lm) {
        ctx = PyCapsule_GetPointer(contexts_obj, CONTEXTS);
        if (!ctx) goto done;
        if (ctx->views[0].len != v * 8) { PyErr_SetString(PyExc_ValueError, "LM contexts of another vocabulary"); goto done; }
    }

    Py_ssize_t k_n = 1;
    cur[0] = (Prefix){.node = 0, .pb = 0.0, .pnb = NEG, .bias = 0.0, .last = 0, .ctx = 0, .hot = 0, .start = 1};
    for (Py_ssize_t t = 0; t < t_len; t++) {
        const double *row = lp + t * v;
        int n_c = 0;
        for (int k = 1; k < v; k++)
            if (row[k] > prune) cand[n_c++] = (Cand){row[k], k};
        if (n_c == 0) {  /* a blank frame: every prefix stays itself */
            for (Py_ssize_t i = 0; i < k_n; i++) {
                Prefix *p = &cur[i];
                double run = p->pnb + row[p->last];
                p->pb = logaddexp(p->pb, p->pnb) + row[0];
                p->pnb = run;
            }
            continue;
        }
        if (n_c > width) {
            qsort(cand, n_c, sizeof(Cand), cand_desc);
            n_c = width;
            qsort(cand, n_c, sizeof(Cand), cand_token);
        }
        /* extensions (K, C); a repeat of the last character needs a blank between */
        for (Py_ssize_t i = 0; i < k_n; i++) {
            Prefix *p = &cur[i];
            double total = logaddexp(p->pb, p->pnb);
            for (int j = 0; j < n_c; j++)
                ext[i * width + j] = (cand[j].k == p->last ? p->pb : total) + cand[j].lp;
            p->pnb = p->pnb + row[p->last];  /* the last character's run goes on */
            p->pb = total + row[0];
        }
        /* an extension that is already a kept prefix adds its paths to that one */
        for (Py_ssize_t i = 0; i < k_n; i++) {
            int n = cur[i].node, par = tree.parent[n], tok = tree.token[n];
            if (par < 0) continue;
            for (Py_ssize_t up = 0; up < k_n; up++) {
                if (cur[up].node != par) continue;
                for (int j = 0; j < n_c; j++) {
                    if (cand[j].k != tok) continue;
                    cur[i].pnb = logaddexp(cur[i].pnb, ext[up * width + j]);
                    ext[up * width + j] = NEG;
                }
                break;
            }
        }
        /* the LM + hotword score and character bonus each extension adds; rank stays and extensions together */
        double best = NEG;
        Py_ssize_t n_r = 0;
        for (Py_ssize_t i = 0; i < k_n; i++) {
            Prefix *p = &cur[i];
            double stay = logaddexp(p->pb, p->pnb) + p->bias;
            ranked[n_r++] = (Ranked){stay, i};
            if (stay > best) best = stay;
            const double *lm_row = use_lm ? ctx->rows[p->ctx] : NULL;
            for (int j = 0; j < n_c; j++) {
                double g = char_bonus;
                if (use_lm) g += lm_weight * lm_row[cand[j].k];
                if (use_hot) {
                    double h;
                    hot_step(&hot, p->hot, p->start, cand[j].k, space, v, &h);
                    g += h;
                }
                gain[i * width + j] = g;
                double s = ext[i * width + j] + g + p->bias;
                ranked[n_r++] = (Ranked){s, k_n + i * n_c + j};
                if (s > best) best = s;
            }
        }
        Py_ssize_t n_keep = 0;
        for (Py_ssize_t r = 0; r < n_r; r++)
            if (ranked[r].score >= best - threshold) ranked[n_keep++] = ranked[r];
        if (n_keep > beam) {
            qsort(ranked, n_keep, sizeof(Ranked), by_score_desc);
            n_keep = beam;
        }
        qsort(ranked, n_keep, sizeof(Ranked), by_index);  /* stays first, in order; then extensions */
        for (Py_ssize_t r = 0; r < n_keep; r++) {
            Py_ssize_t idx = ranked[r].index;
            if (idx < k_n) { nxt[r] = cur[idx]; continue; }
            Py_ssize_t i = (idx - k_n) / n_c;
            int j = (int)((idx - k_n) % n_c), k = cand[j].k;
            Prefix *p = &cur[i], *q = &nxt[r];
            int node = tree_add(&tree, p->node, k);
            if (node < 0) { PyErr_NoMemory(); goto done; }
            q->node = node;
            q->pb = NEG;
            q->pnb = ext[i * width + j];
            q->bias = p->bias + gain[i * width + j];
            q->last = k;
            q->ctx = 0;
            if (use_lm && (q->ctx = ctx_child(ctx, extend, p->ctx, k, v)) < 0) goto done;
            q->hot = 0;
            if (use_hot) {
                double h;
                q->hot = hot_step(&hot, p->hot, p->start, k, space, v, &h);
            }
            q->start = k == space;
        }
        Prefix *swap = cur;
        cur = nxt;
        nxt = swap;
        k_n = n_keep;
    }

    /* final scores: the end of the text, open hotword matches; best first */
    Ranked *fin = ranked;
    for (Py_ssize_t i = 0; i < k_n; i++) {
        Prefix *p = &cur[i];
        double s = logaddexp(p->pb, p->pnb) + p->bias;
        if (use_lm) s += lm_weight * ctx->rows[p->ctx][0];
        if (use_hot && !hot.ends[p->hot]) s -= hot.gain[p->hot];
        fin[i] = (Ranked){s, i};
    }
    qsort(fin, k_n, sizeof(Ranked), by_score_desc);
    out = PyList_New(k_n);
    if (!out) goto done;
    for (Py_ssize_t r = 0; r < k_n; r++) {
        int n = cur[fin[r].index].node, len = 0;
        for (int m = n; m > 0; m = tree.parent[m]) len++;
        PyObject *tokens = PyTuple_New(len);
        if (!tokens) { Py_CLEAR(out); goto done; }
        for (int m = n, at = len - 1; m > 0; m = tree.parent[m], at--)
            PyTuple_SET_ITEM(tokens, at, PyLong_FromLong(tree.token[m]));
        PyObject *pair = Py_BuildValue("(Nd)", tokens, fin[r].score);
        if (!pair) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, r, pair);
    }

done:
    free(cur); free(nxt); free(ext); free(gain); free(ranked); free(cand);
    free(tree.parent); free(tree.token);
    if (use_hot) { PyBuffer_Release(&he_view); PyBuffer_Release(&hg_view); PyBuffer_Release(&hc_view); }
    PyBuffer_Release(&lp_view);
    return out;
}

static PyObject *align(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lp_obj, *tokens_obj, *states_obj;
    Py_ssize_t t_len, v;
    int optional;
    if (!PyArg_ParseTuple(args, "OnnOiO", &lp_obj, &t_len, &v, &tokens_obj, &optional, &states_obj)) return NULL;
    PyObject *seq = PySequence_Fast(tokens_obj, "tokens must be a sequence");
    if (!seq) return NULL;
    Py_ssize_t n_tok = PySequence_Fast_GET_SIZE(seq), s_len = 2 * n_tok + 1;
    Py_buffer lp_view, st_view;
    if (get_buffer(lp_obj, &lp_view, "d", 8, t_len * v, "log-probabilities") < 0) { Py_DECREF(seq); return NULL; }
    if (get_buffer(states_obj, &st_view, "qlL", 8, t_len, "states") < 0) {
        PyBuffer_Release(&lp_view); Py_DECREF(seq); return NULL;
    }
    const double *lp = lp_view.buf;
    int64_t *states = st_view.buf;
    PyObject *ret = NULL;
    int *ext = malloc(s_len * sizeof(int));
    uint8_t *allow = calloc(s_len, 1);  /* bit 0: +2 over a blank (skip), 1: +2 over an optional token, 2: +4 */
    double *score = malloc(s_len * sizeof(double)), *next = malloc(s_len * sizeof(double));
    int8_t *back = malloc((t_len > 0 ? t_len : 1) * s_len);
    if (!ext || !allow || !score || !next || !back) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t s = 0; s < s_len; s++) {
        if (s % 2 == 0) { ext[s] = 0; continue; }
        long k = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, s / 2));
        if (k == -1 && PyErr_Occurred()) goto done;
        if (k < 1 || k >= v) { PyErr_Format(PyExc_ValueError, "token %ld outside the vocabulary", k); goto done; }
        ext[s] = (int)k;
    }
    for (Py_ssize_t s = 2; s < s_len; s++) {
        if (ext[s] != 0 && ext[s] != ext[s - 2]) allow[s] |= 1;
        if (optional > 0 && ext[s] == 0 && ext[s - 1] == optional) allow[s] |= 2;
        if (optional > 0 && s >= 4 && ext[s] != 0 && ext[s - 2] == optional && ext[s] != ext[s - 4]) allow[s] |= 4;
    }
    if (t_len == 0) { PyErr_SetString(PyExc_ValueError, "no frames to align"); goto done; }
    for (Py_ssize_t s = 0; s < s_len; s++) score[s] = NEG;
    score[0] = lp[ext[0]];
    if (s_len > 1) score[1] = lp[ext[1]];
    if (optional > 0 && s_len > 3 && ext[1] == optional) score[3] = lp[ext[3]];
    memset(back, 0, s_len);
    for (Py_ssize_t t = 1; t < t_len; t++) {
        const double *row = lp + t * v;
        int8_t *bt = back + t * s_len;
        for (Py_ssize_t s = 0; s < s_len; s++) {
            double best = score[s];
            int8_t move = 0;
            if (s >= 1 && score[s - 1] > best) { best = score[s - 1]; move = 1; }
            if ((allow[s] & 3) && score[s - 2] > best) { best = score[s - 2]; move = 2; }
            if ((allow[s] & 4) && score[s - 4] > best) { best = score[s - 4]; move = 4; }
            next[s] = best + row[ext[s]];
            bt[s] = move;
        }
        double *swap = score;
        score = next;
        next = swap;
    }
    Py_ssize_t s = s_len - 1;
    if (s_len > 1 && score[s_len - 2] > score[s]) s = s_len - 2;
    if (optional > 0 && s_len > 3 && ext[s_len - 2] == optional && score[s_len - 4] > score[s]) s = s_len - 4;
    if (!isfinite(score[s])) {
        PyErr_Format(PyExc_ValueError, "%zd tokens do not fit in %zd frames", n_tok, t_len);
        goto done;
    }
    for (Py_ssize_t t = t_len - 1; t >= 0; t--) {
        states[t] = s;
        s -= back[t * s_len + s];
    }
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(ext); free(allow); free(score); free(next); free(back);
    PyBuffer_Release(&st_view);
    PyBuffer_Release(&lp_view);
    Py_DECREF(seq);
    return ret;
}

/* witten_bell(h, counts, totals, columns, floor, out): the interpolated Witten-Bell distribution of
 * recog.lm.CharNgramLM after the context h, as natural-log probabilities written to `out` (float64 (n,)):
 *     P(c | h) = (N(h, c) + T(h) P(c | h[1:])) / (N(h) + T(h)),   P(c | "") from the uniform `floor`
 * over the suffixes of h from the shortest ("") to h itself; a suffix missing from `totals` passes its lower
 * level on. counts: dict context -> dict char -> count; totals: dict context -> (N, T);
 * columns: dict char -> column of `out` (characters without a column are not written). */
static PyObject *witten_bell(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *h, *counts_all, *totals, *columns, *out_obj;
    double floor_p;
    if (!PyArg_ParseTuple(args, "UO!O!O!dO", &h, &PyDict_Type, &counts_all, &PyDict_Type, &totals, &PyDict_Type,
                          &columns, &floor_p, &out_obj))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(out_obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) return NULL;
    if (view.itemsize != 8 || !view.format || strcmp(view.format, "d") != 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "out must be a writable float64 buffer");
        return NULL;
    }
    double *d = view.buf;
    Py_ssize_t n_out = view.len / 8, len = PyUnicode_GET_LENGTH(h);
    for (Py_ssize_t j = 0; j < n_out; j++) d[j] = floor_p;
    for (Py_ssize_t i = len; i >= 0; i--) {
        PyObject *g = PyUnicode_Substring(h, i, len);
        if (!g) goto fail;
        PyObject *total = PyDict_GetItemWithError(totals, g);
        PyObject *counts = total ? PyDict_GetItemWithError(counts_all, g) : NULL;
        Py_DECREF(g);
        if (!total || !counts) {
            if (PyErr_Occurred()) goto fail;
            continue;  /* an unseen level: the lower distribution stands */
        }
        double n, t;
        if (!PyArg_ParseTuple(total, "dd", &n, &t) || !PyDict_Check(counts)) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "counts of a context must be a dict");
            goto fail;
        }
        double keep = t / (n + t), inv = n + t;
        for (Py_ssize_t j = 0; j < n_out; j++) d[j] *= keep;
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(counts, &pos, &key, &value)) {
            PyObject *col = PyDict_GetItemWithError(columns, key);
            if (!col) {
                if (PyErr_Occurred()) goto fail;
                continue;
            }
            Py_ssize_t j = PyLong_AsSsize_t(col);
            double k = PyFloat_AsDouble(value);
            if ((j == -1 || k == -1.0) && PyErr_Occurred()) goto fail;
            if (j < 0 || j >= n_out) { PyErr_SetString(PyExc_ValueError, "column outside out"); goto fail; }
            d[j] += k / inv;
        }
    }
    for (Py_ssize_t j = 0; j < n_out; j++) d[j] = log(d[j]);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
fail:
    PyBuffer_Release(&view);
    return NULL;
}

static PyMethodDef methods[] = {
    {"contexts", contexts, METH_VARARGS, "LM contexts kept across searches: contexts(start_row, V) (see the module source)."},
    {"search", search, METH_VARARGS, "CTC prefix beam search of one item (see the module source)."},
    {"align", align, METH_VARARGS, "CTC Viterbi alignment of tokens (see the module source)."},
    {"witten_bell", witten_bell, METH_VARARGS, "A character n-gram LM's log-distribution after a context (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ctcbeam", "CTC prefix beam search and alignment in C (recog.beam).", -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ctcbeam(void) { return PyModule_Create(&module); }
