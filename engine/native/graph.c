/* The native engine's generic half, part 2: the protocol-edge graph that progress claims are
 * decided on, and rule coverage.  Compiled after store.c, before runtime.c.
 *
 * Only protocol edges are kept (environment edges never help a state settle, and the lasso
 * follows protocol edges alone): 4 bytes per edge plus 4 per state.  A worker records the edges
 * of the states it expands with their targets as known ids or references to its own candidates;
 * the merge, which numbers candidates, resolves them and appends them in state order, so the
 * graph is the Python engine's (engine/settling.py) edge for edge, in the same order.
 */

#define CANDREF (1ull << 63)

/* room for one more item in a doubling buffer; 0 when memory ran out (the buffer is kept) */
static int room(void **buf, size_t n, size_t *cap, size_t size, size_t first) {
  if (n < *cap) return 1;
  size_t c = *cap ? *cap * 2 : first;
  void *p = realloc(*buf, c * size);
  if (!p) return 0;
  *buf = p, *cap = c;
  return 1;
}

static int push_edge(struct worker *w, uint64_t e) {
  if (!room((void **)&w->edge, w->nedge, &w->ecap, 8, 4096)) return 0;
  w->edge[w->nedge++] = e;
  return 1;
}

static int push_deg(struct worker *w, uint32_t d) {
  if (!room((void **)&w->deg, w->ndeg, &w->dcap, 4, 1024)) return 0;
  w->deg[w->ndeg++] = d;
  return 1;
}

/* coverage, TLC style: fired per rule instance, and per rule the states where one of its instances is enabled */
static inline void count_rule(struct worker *w, int k) {
  w->fired[k]++;
  int r = RULE_OF[k];
  if (w->stamp[r] != w->cur + 1) w->stamp[r] = w->cur + 1, w->enabled[r]++;
}

static inline uint32_t *edge_at(struct ctx *c, uint64_t e) { return c->eblk[e >> EBLOCK_BITS] + (e & (EBLOCK - 1)); }

static int append_edge(struct ctx *c, uint32_t dst) {
  if ((c->nedges >> EBLOCK_BITS) >= c->neblk) {
    if (c->neblk == c->eblkcap) {
      size_t cap = c->eblkcap ? c->eblkcap * 2 : 64;
      uint32_t **b = realloc(c->eblk, cap * sizeof *b);
      if (!b) return 0;
      c->eblk = b, c->eblkcap = cap;
    }
    if (!(c->eblk[c->neblk] = malloc(EBLOCK * 4))) return 0;
    c->neblk++;
  }
  *edge_at(c, c->nedges++) = dst;
  return 1;
}

/* state id's edges: [*lo, *hi) */
static void edge_range(struct ctx *c, uint64_t id, uint64_t *lo, uint64_t *hi) {
  uint64_t b = id >> BLOCK_BITS;
  *lo = c->ebase[b] + c->eoff[b][id & (BLOCK - 1)];
  if (id + 1 >= c->next) *hi = c->nedges;   /* the last expanded state */
  else if (((id + 1) & (BLOCK - 1)) == 0) *hi = c->ebase[b + 1];
  else *hi = c->ebase[b] + c->eoff[b][(id + 1) & (BLOCK - 1)];
}

/* after the chunk's candidates have their ids: the edges of states lo.. in batch order */
static int merge_edges(struct ctx *c, uint64_t lo) {
  for (uint64_t b = 0; b < c->nbatch; b++) {
    struct worker *w = &c->w[c->batch_w[b]];
    uint64_t id = lo + b * BATCH, end = id + BATCH < c->hi ? id + BATCH : c->hi;
    const uint64_t *e = w->edge + c->batch_e[b];
    const uint32_t *d = w->deg + c->batch_d[b];
    for (; id < end; id++, d++) {
      uint64_t blk = id >> BLOCK_BITS;
      if ((id & (BLOCK - 1)) == 0) c->ebase[blk] = c->nedges;
      c->eoff[blk][id & (BLOCK - 1)] = (uint32_t)(c->nedges - c->ebase[blk]);
      for (uint32_t j = 0; j < *d; j++, e++)
        if (!append_edge(c, *e & CANDREF ? w->out[*e & ~CANDREF].id : (uint32_t)*e)) return 0;
    }
  }
  return 1;
}

/* 0 done; 1 memory (budget or malloc); 2 too many edges for 32-bit offsets */
static int progress_pass(struct ctx *c, uint64_t wanted) {
  uint64_t n = c->count, ne = c->nedges;
  if (ne >= UINT32_MAX) return 2;
  uint64_t extra = (n + 1) * 4 + ne * 4 + n + n * 4;
  if (c->mem_limit && mem_used(c) + extra > c->mem_limit) return 1;
  uint32_t *start = calloc(n + 1, 4), *rev = malloc(ne * 4 + 4), *stack = malloc(n * 4 + 4);
  uint8_t *ok = malloc(n + 1), s[NSLOTS];
  int status = 1;
  if (!start || !rev || !stack || !ok) goto out;
  /* reverse CSR by counting sort: the predecessors of j are rev[start[j] .. start[j + 1]) */
  for (uint64_t e = 0; e < ne; e++) start[*edge_at(c, e) + 1]++;
  for (uint64_t j = 0; j < n; j++) start[j + 1] += start[j];
  for (uint64_t i = 0, lo, hi; i < n; i++) {
    edge_range(c, i, &lo, &hi);
    for (uint64_t e = lo; e < hi; e++) rev[start[*edge_at(c, e)]++] = (uint32_t)i;
  }
  for (uint64_t j = n; j > 0; j--) start[j] = start[j - 1];   /* the fill moved each start one bucket on */
  start[0] = 0;
  for (int p = 0; p < NPROGP; p++) {
    if (!(wanted >> p & 1)) continue;
    uint64_t top = 0;
    for (uint64_t i = 0, lo, hi; i < n; i++) {
      edge_range(c, i, &lo, &hi);
      ok[i] = 0;
      if (lo == hi) {   /* quiet: settled when the claim's predicate holds too */
        unpack(state_at(c, i), s);
        if (PROGP[p](s)) ok[i] = 1, stack[top++] = (uint32_t)i;
      }
    }
    while (top) {
      uint32_t j = stack[--top];
      for (uint32_t x = start[j]; x < start[j + 1]; x++)
        if (!ok[rev[x]]) ok[rev[x]] = 1, stack[top++] = rev[x];
    }
    uint64_t stuck = 0;
    while (stuck < n && ok[stuck]) stuck++;   /* ids are BFS order: the shallowest */
    c->prog_stuck[p] = stuck < n ? (int64_t)stuck : -1;
    if (stuck == n) continue;
    /* the lasso: first protocol edges until a state repeats (or a quiet state where the predicate fails) */
    size_t len = 0, cap = 16;
    uint32_t *path = malloc(cap * 4);
    if (!path) goto out;
    memset(ok, 0, n);   /* now: on the path */
    for (uint64_t cur = stuck, lo, hi;;) {
      if (len == cap) {
        uint32_t *q = realloc(path, (cap *= 2) * 4);
        if (!q) { free(path); goto out; }
        path = q;
      }
      path[len++] = (uint32_t)cur;
      if (ok[cur]) break;
      ok[cur] = 1;
      edge_range(c, cur, &lo, &hi);
      if (lo == hi) break;
      cur = *edge_at(c, lo);
    }
    c->lasso[p] = path, c->lasso_n[p] = len;
  }
  status = 0;
out:
  free(start), free(rev), free(stack), free(ok);
  return status;
}
