/* The native engine's generic half, progress without a stored graph: claims decided in fingerprint mode
 * while exploring.  Compiled after por.c, before runtime.c.
 *
 * engine/settling.py's claim: every reachable state reaches a settled state (no protocol rule
 * enabled, the claim's predicate true) along protocol edges.  The exact engine keeps the edges
 * and runs backward reachability; here each state is checked when it is expanded, in id order,
 * so the first state found stuck is the shallowest, as there:
 *   1. a greedy walk: the first protocol successor at each step (over canonical states, the
 *      exact engine's first edge) for at most K steps, until a settled state or one known to settle;
 *   2. if it loops, dead-ends unsettled or runs past K: a breadth-first search over every protocol
 *      successor, with a table of its own (exact states), capped at L states.  Finding a settled
 *      or known state proves settling; exhausting the states proves the state stuck (its lasso:
 *      first successors until a repeat, as graph.c draws it); reaching L decides nothing.
 * "Known to settle" is one bit per claim stolen from the top of the 64-bit fingerprint, set only
 * on states of a path that was followed to a settled state, plus a small per-worker cache for
 * states not yet stored (a new state inherits the bits of its worker's cache when inserted).
 * The marks change only how much is searched, never which state is stuck.
 */

#define CACHE_BITS 16
#define MAXPROG 8             /* claims with a mark bit; more fall back to UNKNOWN */

struct settlew {
  uint64_t cache[1u << CACHE_BITS];   /* fingerprint | claim bits, direct-mapped by fingerprint */
  uint64_t *path;                     /* greedy walk: hashes so far */
  size_t K, L;                        /* greedy steps, local-search states (run.py chooses) */
  uint8_t got[NSLOTS];                /* the greedy walk's first protocol successor */
  int mode, ngot;                     /* 1 first protocol successor only, 2 every one */
  uint8_t *succ;                      /* mode 2: protocol successors of the state expanded */
  size_t nsucc, scap;
  /* local search: packed states, their hashes, parents, first successors; table of gen | idx + 1 */
  uint64_t *lw, *lh, *lt;
  uint32_t *lpar, *lfirst;
  size_t ln, lcap, ltmask;
  uint32_t gen;
  /* this chunk: the first stuck and first undecided state per claim, the stuck state's lasso */
  uint32_t stuck_id[MAXPROG], over_id[MAXPROG];
  uint8_t *lasso[MAXPROG];
  size_t lasso_n[MAXPROG];
  uint64_t checks, known, steps, searches, searched, most, ns;
};

static inline uint64_t mark_bit(int p) { return 1ull << (63 - p); }

static int settle_init(struct worker *w, size_t K, size_t L) {
  struct settlew *v = w->sw = calloc(1, sizeof *w->sw);
  if (!v || !(v->path = malloc((K + 1) * 8))) return 0;
  v->K = K, v->L = L;
  return 1;
}

static void settle_free(struct worker *w) {
  struct settlew *v = w->sw;
  if (!v) return;
  free(v->path), free(v->succ), free(v->lw), free(v->lh), free(v->lt), free(v->lpar), free(v->lfirst);
  for (int p = 0; p < MAXPROG; p++) free(v->lasso[p]);
  free(v);
}

static uint64_t settle_bytes(struct worker *w) {
  struct settlew *v = w->sw;
  if (!v) return 0;
  return sizeof *v + v->K * 8 + v->scap * NSLOTS + v->lcap * (NWORDS * 8 + 8 + 8) + (v->ltmask + (v->lt ? 1 : 0)) * 8;
}

/* emit() in walk mode: nonzero stops the successor function (mode 1, a protocol successor found) */
static int walk_emit(struct worker *w, const uint8_t *n, int env) {
  struct settlew *v = w->sw;
  if (env) return 0;
  if (v->mode == 1) { memcpy(v->got, n, NSLOTS), v->ngot = 1; return 1; }
  if (v->nsucc == v->scap) {
    size_t cap = v->scap ? v->scap * 2 : 64;
    uint8_t *q = realloc(v->succ, cap * NSLOTS);
    if (!q) { w->walk_err = 1; return 1; }
    v->succ = q, v->scap = cap;
  }
  memcpy(v->succ + v->nsucc++ * NSLOTS, n, NSLOTS);
  return 0;
}

static int walk_successors(struct worker *w, const uint8_t *s, int mode) {
  struct settlew *v = w->sw;
  v->mode = mode, v->ngot = 0, v->nsucc = 0;
  w->walking = 1, w->walk_err = 0;
  successors(s, w);
  w->walking = 0;
  return !w->walk_err;
}

static inline uint64_t *cache_at(struct ctx *c, struct worker *w, uint64_t h) {
  return &w->sw->cache[(fingerprint(c, h) * 0x9e3779b97f4a7c15ull) >> (64 - CACHE_BITS)];
}

static int known(struct ctx *c, struct worker *w, uint64_t h, int p) {
  uint64_t e = *cache_at(c, w, h), slot;
  if ((e & c->fpmask) == fingerprint(c, h) && (e & mark_bit(p))) return 1;
  return lookup(c, h, NULL, &slot) && (__atomic_load_n(&c->table[slot], __ATOMIC_RELAXED) & mark_bit(p));
}

static void mark(struct ctx *c, struct worker *w, uint64_t h, int p) {
  uint64_t *e = cache_at(c, w, h), f = fingerprint(c, h), slot;
  *e = ((*e & c->fpmask) == f ? *e : f) | mark_bit(p);
  if (lookup(c, h, NULL, &slot)) __atomic_fetch_or(&c->table[slot], mark_bit(p), __ATOMIC_RELAXED);
}

/* a state being inserted takes the marks its worker's walks left in the cache */
static uint64_t inherited(struct ctx *c, struct worker *w, uint64_t h) {
  uint64_t e = *cache_at(c, w, h);
  return (e & c->fpmask) == fingerprint(c, h) ? e & ~c->fpmask : 0;
}

static inline uint64_t canon_hash(struct ctx *c, const uint8_t *n, uint8_t *cs, uint64_t *p) {
  if (c->sym && NPERM) canon(n, cs); else memcpy(cs, n, NSLOTS);
  pack(cs, p);
  return hash_words(p);
}

/* from s0, the state being expanded: 1 settles, 0 undecided (loop, dead end, K steps), -1 range error */
static int greedy(struct ctx *c, struct worker *w, const uint8_t *s0, uint64_t h, int p) {
  struct settlew *v = w->sw;
  uint8_t cur[NSLOTS];
  uint64_t pk[NWORDS];
  int n = 0, ok = 0;
  memcpy(cur, s0, NSLOTS);
  for (int first = 1;; first = 0) {
    if (known(c, w, h, p)) { ok = 1; break; }
    for (int i = 0; i < n; i++) if (v->path[i] == h) return 0;
    if (n == (int)v->K) return 0;
    v->path[n++] = h;
    if (first) {   /* the expansion of s0 computed its first protocol successor already */
      if (!w->has_first) { ok = PROGP[p](cur); break; }
      memcpy(cur, w->first_s, NSLOTS), h = w->first_h;
      continue;
    }
    if (!walk_successors(w, cur, 1)) return -1;
    v->steps++;
    if (!v->ngot) { ok = PROGP[p](cur); break; }
    h = canon_hash(c, v->got, cur, pk);
  }
  if (!ok) return 0;
  for (int i = 0; i < n; i++) mark(c, w, v->path[i], p);
  return 1;
}

/* local search table: index of the state with packed words pk, or -1 (slot in *at) */
static int64_t local_find(struct settlew *v, const uint64_t *pk, uint64_t h, uint64_t *at) {
  for (uint64_t i = h & v->ltmask;; i = (i + 1) & v->ltmask) {
    uint64_t e = v->lt[i];
    *at = i;
    if ((uint32_t)(e >> 32) != v->gen) return -1;
    uint32_t j = (uint32_t)e - 1;
    if (v->lh[j] == h && !memcmp(v->lw + j * NWORDS, pk, NWORDS * 8)) return j;
  }
}

static int local_grow(struct settlew *v) {
  size_t cap = v->lcap ? v->lcap * 2 : 1024;
  uint64_t *lw = realloc(v->lw, cap * NWORDS * 8);
  if (lw) v->lw = lw;
  uint64_t *lh = realloc(v->lh, cap * 8);
  if (lh) v->lh = lh;
  uint32_t *lp = realloc(v->lpar, cap * 4);
  if (lp) v->lpar = lp;
  uint32_t *lf = realloc(v->lfirst, cap * 4);
  if (lf) v->lfirst = lf;
  uint64_t *lt = calloc(cap * 2, 8);
  if (!lw || !lh || !lp || !lf || !lt) { free(lt); return 0; }
  for (size_t j = 0; j < v->ln; j++) {   /* re-place this search's states */
    uint64_t i = v->lh[j] & (cap * 2 - 1);
    while (lt[i]) i = (i + 1) & (cap * 2 - 1);
    lt[i] = (uint64_t)v->gen << 32 | (j + 1);
  }
  free(v->lt);
  v->lt = lt, v->ltmask = cap * 2 - 1, v->lcap = cap;
  return 1;
}

/* add a state to the local search: its index, or -1 at the cap (-2 out of memory) */
static int64_t local_add(struct settlew *v, const uint64_t *pk, uint64_t h, uint32_t parent) {
  uint64_t at;
  int64_t j = local_find(v, pk, h, &at);
  if (j >= 0) return j;
  if (v->ln == v->L) return -1;
  if (v->ln == v->lcap) {
    if (!local_grow(v)) return -2;
    local_find(v, pk, h, &at);
  }
  j = (int64_t)v->ln++;
  memcpy(v->lw + j * NWORDS, pk, NWORDS * 8);
  v->lh[j] = h, v->lpar[j] = parent, v->lfirst[j] = NONE;
  v->lt[at] = (uint64_t)v->gen << 32 | (uint64_t)(j + 1);
  return j;
}

/* the stuck root's lasso (local indices are exact states): first successors until a repeat */
static int keep_lasso(struct settlew *v, int p) {
  size_t n = 0;
  uint8_t *out = NULL, *seen = calloc(v->ln, 1);
  for (uint32_t j = 0; seen;) {
    uint8_t *q = realloc(out, (n + 1) * NSLOTS);
    if (!q) break;
    out = q;
    unpack(v->lw + (size_t)j * NWORDS, out + n++ * NSLOTS);
    if (seen[j] || v->lfirst[j] == NONE) {   /* the cycle closes, or quiet with the predicate false */
      free(seen), free(v->lasso[p]);
      v->lasso[p] = out, v->lasso_n[p] = n;
      return 1;
    }
    seen[j] = 1, j = v->lfirst[j];
  }
  free(seen), free(out);
  return 0;
}

/* 1 settles, 0 stuck (lasso kept), 2 undecided at L states, -1 range error or memory */
static int local_search(struct ctx *c, struct worker *w, const uint8_t *s0, int p) {
  struct settlew *v = w->sw;
  uint8_t cur[NSLOTS], cs[NSLOTS];
  uint64_t pk[NWORDS];
  if (++v->gen == 0) { if (v->lt) memset(v->lt, 0, (v->ltmask + 1) * 8); v->gen = 1; }
  v->ln = 0, v->searches++;
  if (!v->lt && !local_grow(v)) return -1;
  int found = -1, status = 0;
  pack(s0, pk);
  if (local_add(v, pk, hash_words(pk), NONE) < 0) return -1;
  for (size_t head = 0; head < v->ln && found < 0; head++) {
    unpack(v->lw + head * NWORDS, cur);
    if (!walk_successors(w, cur, 2)) { status = -1; break; }
    if (!v->nsucc && PROGP[p](cur)) { found = (int)head; break; }
    for (size_t i = 0; i < v->nsucc; i++) {
      uint64_t h = canon_hash(c, v->succ + i * NSLOTS, cs, pk);
      if (known(c, w, h, p)) { found = (int)head; break; }
      int64_t j = local_add(v, pk, h, (uint32_t)head);
      if (j < 0) { status = j == -1 ? 2 : -1; break; }
      if (i == 0) v->lfirst[head] = (uint32_t)j;
    }
    if (status) break;
  }
  v->searched += v->ln;
  if (v->ln > v->most) v->most = v->ln;
  if (found >= 0) {   /* the path from the root to a settled or known state settles */
    for (uint32_t j = (uint32_t)found; j != NONE; j = v->lpar[j]) mark(c, w, v->lh[j], p);
    return 1;
  }
  if (status) return status;
  return keep_lasso(v, p) ? 0 : -1;
}

static uint64_t now_ns(void) {   /* the vDSO clock: a thread-CPU clock is a system call, too dear per state */
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* state `id` (unpacked in s), being expanded: can it settle, for each claim still open? */
static void settle_check(struct ctx *c, struct worker *w, const uint8_t *s, uint32_t id) {
  struct settlew *v = w->sw;
  uint64_t h = hash_words(state_at(c, id));
  for (int p = 0; p < NPROGP; p++) {
    if (!(c->prog_open >> p & 1) || v->stuck_id[p] != NONE) continue;
    v->checks++;
    if (known(c, w, h, p)) { v->known++; continue; }
    uint64_t t0 = now_ns();   /* timed past the cheap case only: the clock costs too */
    int r = greedy(c, w, s, h, p);
    if (r == 0) r = local_search(c, w, s, p);
    if (r == 0) v->stuck_id[p] = id;
    else if (r != 1 && v->over_id[p] == NONE) v->over_id[p] = id;
    v->ns += now_ns() - t0;
  }
}

static void settle_chunk_start(struct ctx *c) {
  for (int i = 0; i < c->nworkers && c->settle; i++)
    for (int p = 0; p < MAXPROG; p++) c->w[i].sw->stuck_id[p] = c->w[i].sw->over_id[p] = NONE;
}

/* after a chunk: the least stuck id per claim decides it (ids are BFS order) */
static void settle_chunk_end(struct ctx *c) {
  for (int p = 0; p < NPROGP && c->settle; p++) {
    int best = -1;
    for (int i = 0; i < c->nworkers; i++) {
      struct settlew *v = c->w[i].sw;
      if (v->stuck_id[p] != NONE && (best < 0 || v->stuck_id[p] < c->w[best].sw->stuck_id[p])) best = i;
      if (v->over_id[p] < c->prog_over[p]) c->prog_over[p] = v->over_id[p];
    }
    if (best < 0) continue;
    struct settlew *v = c->w[best].sw;
    c->prog_stuck[p] = v->stuck_id[p], c->prog_open &= ~(1ull << p);
    free(c->lasso_s[p]);
    c->lasso_s[p] = v->lasso[p], c->lasso_n[p] = v->lasso_n[p], v->lasso[p] = NULL;
  }
}

/* ---- its part of the ctypes interface ---- */

/* fingerprint mode: decide the progress claims in `wanted` while exploring (settle.c), with greedy walks
   of at most K steps and local searches of at most L states; before the first state.  0: cannot */
int nm_settle(struct ctx *c, uint64_t wanted, uint64_t K, uint64_t L) {
  if (!c->fp || c->por || c->count || NPROGP > MAXPROG || K < 1 || L < 1 || L >= NONE) return 0;
  for (int i = 0; i < c->nworkers; i++)
    if (!settle_init(&c->w[i], K, L)) return 0;
  c->settle = 1, c->prog_open = wanted, c->fpmask = ~0ull >> NPROGP;
  return 1;
}

/* the stuck state's lasso as canonical states, NSLOTS bytes each, up to `cap` of them; their number */
uint64_t nm_stuck_states(struct ctx *c, int p, uint8_t *out, uint64_t cap) {
  if (c->lasso_s[p] && cap) memcpy(out, c->lasso_s[p], (c->lasso_n[p] < cap ? c->lasso_n[p] : cap) * NSLOTS);
  return c->lasso_n[p];
}

/* the first state neither witnessed to settle nor found stuck (a local search reached L), or -1 */
int64_t nm_undecided(struct ctx *c, int p) { return c->prog_over[p] == NONE ? -1 : (int64_t)c->prog_over[p]; }

/* what settle.c cost: checks, known at once, greedy steps, local searches, their states, the largest,
   nanoseconds in walks and searches past the known-at-once case (summed over workers) */
void nm_settle_stats(struct ctx *c, uint64_t *out) {
  memset(out, 0, 7 * 8);
  for (int i = 0; i < c->nworkers && c->settle; i++) {
    struct settlew *v = c->w[i].sw;
    out[0] += v->checks, out[1] += v->known, out[2] += v->steps, out[3] += v->searches, out[4] += v->searched;
    if (v->most > out[5]) out[5] = v->most;
    out[6] += v->ns;
  }
}
