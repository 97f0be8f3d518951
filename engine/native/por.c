/* The native engine's generic half, part 3: partial-order reduction, engine/por.py's `AmpleSets`
 * over the tables gen_por.py emits.  Compiled after graph.c, before runtime.c.
 *
 * With reduction on, emit() holds a state's successors here; por_choose() then marks the ample
 * set (C0-C2 and CQ as a stubborn closure per invisible enabled seed, candidates smallest first,
 * ties by their sorted instance ids, then C3: no successor stored at a level no deeper than the
 * state's).  The closure's result does not depend on visiting order, so the choice is the Python
 * engine's.  With fingerprints the table has no ids, hence no levels: any successor already
 * stored counts for C3 (more states expanded in full; still sound, counts may exceed Python's).
 */
#if POR
struct porw {
  uint32_t *k;          /* held successors: instance, environment flag, state, taken */
  uint8_t *env, *n, *take;
  size_t np, cap;
  uint32_t sgen, mgen;  /* dates: en[k] == sgen, enabled at this state; mem[k] == mgen, in this closure */
  uint32_t *en, *mem, *fa_gen, *fa, *stack, *slot;
  uint32_t *cand, *cand_start, ncand;   /* candidate sets, each sorted, concatenated */
};

static int por_init(struct worker *w) {
  struct porw *p = calloc(1, sizeof *p);
  if (!(w->pw = p)) return 0;
  p->en = calloc(NRULES, 4), p->mem = calloc(NRULES, 4), p->fa_gen = calloc(NRULES, 4);
  p->fa = calloc(NRULES, 4), p->stack = malloc(NRULES * 4 + 4), p->slot = malloc(NRULES * 4 + 4);
  p->cand = malloc((size_t)NRULES * NRULES * 4 + 4), p->cand_start = malloc(NRULES * 4 + 8);
  return p->en && p->mem && p->fa_gen && p->fa && p->stack && p->slot && p->cand && p->cand_start;
}

static void por_free(struct worker *w) {
  struct porw *p = w->pw;
  if (!p) return;
  free(p->k), free(p->env), free(p->n), free(p->take), free(p->en), free(p->mem), free(p->fa_gen);
  free(p->fa), free(p->stack), free(p->slot), free(p->cand), free(p->cand_start), free(p);
}

static int por_hold(struct worker *w, int k, const uint8_t *n, int env) {
  struct porw *p = w->pw;
  if (p->np == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    uint32_t *kk = realloc(p->k, cap * 4);
    if (kk) p->k = kk;
    uint8_t *e = realloc(p->env, cap);
    if (e) p->env = e;
    uint8_t *t = realloc(p->take, cap);
    if (t) p->take = t;
    uint8_t *nn = realloc(p->n, cap * NSLOTS);
    if (nn) p->n = nn;
    if (!kk || !e || !t || !nn) return 0;
    p->cap = cap;
  }
  p->k[p->np] = (uint32_t)k, p->env[p->np] = (uint8_t)env;
  memcpy(p->n + p->np * NSLOTS, n, NSLOTS);
  p->np++;
  return 1;
}

static uint32_t next_date(uint32_t *d, uint32_t *a, uint32_t *b) {   /* wrapped: forget every old date */
  if (++*d == 0) memset(a, 0, NRULES * 4), b && memset(b, 0, NRULES * 4), *d = 1;
  return *d;
}

/* the smallest necessary enabling set of a guard conjunct false at s (the first of the smallest), once per state */
static uint32_t false_conj(struct porw *p, const uint8_t *s, uint32_t t) {
  if (p->fa_gen[t] == p->sgen) return p->fa[t];
  uint32_t best = UINT32_MAX, size = UINT32_MAX;
  for (uint32_t c = CONJ_START[t]; c < CONJ_START[t + 1]; c++)
    if (NES_START[c + 1] - NES_START[c] < size && !CONJ[c](s)) best = c, size = NES_START[c + 1] - NES_START[c];
  p->fa_gen[t] = p->sgen, p->fa[t] = best;
  return best;
}

/* the stubborn closure from `seed`: 1 and its members marked, or 0 when it meets a visible enabled
   instance (C2) or holds every enabled one (nothing to gain) */
static int closure(struct porw *p, const uint8_t *s, uint32_t seed, uint32_t ne) {
  uint32_t mark = next_date(&p->mgen, p->mem, NULL), top = 0, inside = 1;
  p->mem[seed] = mark, p->stack[top++] = seed;
  while (top) {
    uint32_t t = p->stack[--top];
    const uint32_t *g, *end;
    if (p->en[t] == p->sgen) {
      g = DEP + DEP_START[t], end = DEP + DEP_START[t + 1];
    } else {
      uint32_t c = false_conj(p, s, t);
      if (c == UINT32_MAX) return 0;   /* no conjunct false: cannot happen for a disabled instance */
      g = NES + NES_START[c], end = NES + NES_START[c + 1];
    }
    for (; g < end; g++) {
      uint32_t u = *g;
      if (p->mem[u] == mark) continue;
      if (p->en[u] == p->sgen) {
        if (VISIBLE[u] || ++inside >= ne) return 0;
      }
      p->mem[u] = mark, p->stack[top++] = u;
    }
  }
  return 1;
}

static int cand_less(struct porw *p, uint32_t a, uint32_t b) {
  uint32_t la = p->cand_start[a + 1] - p->cand_start[a], lb = p->cand_start[b + 1] - p->cand_start[b];
  if (la != lb) return la < lb;
  const uint32_t *x = p->cand + p->cand_start[a], *y = p->cand + p->cand_start[b];
  for (uint32_t i = 0; i < la; i++) if (x[i] != y[i]) return x[i] < y[i];
  return 0;
}

static int closes(struct worker *w, const uint8_t *n);

/* mark p->take for the successors to expand: an ample set, or all of them */
static void por_choose(struct worker *w, const uint8_t *s, int protocol) {
  struct porw *p = w->pw;
  uint32_t ne = (uint32_t)p->np;
  if (ne == 0) return;
  memset(p->take, 1, p->np);
  if (ne == 1) return;
  uint32_t sg = next_date(&p->sgen, p->en, p->fa_gen);
  for (uint32_t i = 0; i < ne; i++) p->en[p->k[i]] = sg, p->slot[p->k[i]] = i;
  uint32_t used = 0;
  p->ncand = 0, p->cand_start[0] = 0;
  for (uint32_t i = 0; i < ne; i++) {
    uint32_t seed = p->k[i];
    if (VISIBLE[seed] || !closure(p, s, seed, ne)) continue;
    uint32_t *a = p->cand + used, len = 0, prot = 0;
    for (uint32_t j = 0; j < ne; j++)
      if (p->mem[p->k[j]] == p->mgen) a[len++] = p->k[j], prot |= PROTOCOL[p->k[j]];
    if (KEEP_PROTOCOL && protocol && !prot) continue;   /* CQ */
    for (uint32_t x = 1; x < len; x++)                  /* sorted instance ids */
      for (uint32_t y = x; y > 0 && a[y - 1] > a[y]; y--) { uint32_t t = a[y]; a[y] = a[y - 1], a[y - 1] = t; }
    p->cand_start[p->ncand + 1] = used + len;
    int dup = 0;
    for (uint32_t c = 0; c < p->ncand && !dup; c++)
      dup = !cand_less(p, c, p->ncand) && !cand_less(p, p->ncand, c);
    if (!dup) used += len, p->ncand++;
  }
  /* smallest first: a selection of the best untried candidate each time (few candidates) */
  uint8_t tried[ne];
  memset(tried, 0, ne);
  for (uint32_t round = 0; round < p->ncand; round++) {
    uint32_t best = UINT32_MAX;
    for (uint32_t c = 0; c < p->ncand; c++)
      if (!tried[c] && (best == UINT32_MAX || cand_less(p, c, best))) best = c;
    tried[best] = 1;
    int closing = 0;
    for (uint32_t x = p->cand_start[best]; x < p->cand_start[best + 1] && !closing; x++)
      closing = closes(w, p->n + p->slot[p->cand[x]] * NSLOTS);
    if (closing) continue;   /* C3 */
    memset(p->take, 0, p->np);
    for (uint32_t x = p->cand_start[best]; x < p->cand_start[best + 1]; x++) p->take[p->slot[p->cand[x]]] = 1;
    w->por_reduced++, w->por_pruned += ne - (p->cand_start[best + 1] - p->cand_start[best]);
    return;
  }
}
#else
struct porw { int unused; };
static int por_init(struct worker *w) { (void)w; return 1; }
static void por_free(struct worker *w) { (void)w; }
#endif
