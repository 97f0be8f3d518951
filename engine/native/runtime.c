/* The native engine's generic half, part 4: workers, the level-synchronous BFS, the interface
 * Python drives.  Compiled after the generated half and store.c. */

static void range_error(struct worker *w, int k, int slot, int value) {
  if (w->walking) { w->walk_err = 1; return; }   /* the search itself will meet it, with the right id */
  if (!w->err || w->cur < w->err_id)
    w->err = 1, w->err_id = w->cur, w->err_k = k, w->err_slot = slot, w->err_value = value;
}

static void flush(struct worker *w);

static void take(struct worker *w, int k, const uint8_t *n, int env);

/* nonzero: the successor function may stop (settle.c wants just the first protocol successor) */
static int emit(struct worker *w, int k, const uint8_t *n, int env) {
  if (w->walking) return walk_emit(w, n, env);
  if (!env) w->protocol = 1;   /* quiescence is judged on the full set, also under reduction */
  if (!w->c->por) take(w, k, n, env);
#if POR
  else if (!por_hold(w, k, n, env)) w->oom = 1;
#endif
  return 0;
}

#if POR
/* C3: the successor is stored already, at a level no deeper than the state being expanded */
static int closes(struct worker *w, const uint8_t *n) {
  struct ctx *c = w->c;
  uint8_t best[NSLOTS];
  uint64_t p[NWORDS], slot;
  if (c->sym && NPERM) canon(n, best), n = best;
  pack(n, p);
  if (!lookup(c, hash_words(p), p, &slot)) return 0;
  return c->fp || (c->table[slot] & 0xffffffffu) - 1 < c->level_end;
}
#endif

/* a successor that is expanded: counted, checked, queued for its table probe */
static void take(struct worker *w, int k, const uint8_t *n, int env) {
  struct ctx *c = w->c;
  w->transitions++;
  if (c->cov) count_rule(w, k);
  for (uint64_t m = w->step_pending; m; m &= m - 1) {
    int j = __builtin_ctzll(m);
    if (!STEPP[j](w->s, n)) {   /* the worker's first violation is its earliest: ids only grow */
      w->step_id[j] = w->cur, w->step_k[j] = k;
      memcpy(w->step_t[j], n, NSLOTS);
      w->step_pending &= ~(1ull << j);
    }
  }
  /* canonicalise first: the lazy comparison costs less than packing and probing the raw state too
     (the Python engine probes the raw state first; the state found is the same either way) */
  uint8_t best[NSLOTS];
  const uint8_t *cs = n;
  if (c->sym && NPERM) canon(n, best), cs = best;
  if (w->npend == MAXPEND) flush(w);
  struct pend *q = &w->pend[w->npend++];
  pack(cs, q->w);
  q->h = hash_words(q->w);
  q->via = (uint32_t)k, q->protocol = !env;
  if (c->settle && !env && !w->has_first) w->has_first = 1, w->first_h = q->h, memcpy(w->first_s, cs, NSLOTS);
  /* a shard never holds a state homed on another shard: its probe would only miss */
  q->home = c->shard_n > 1 ? (uint32_t)state_home(c, cs, q->h) : 0;
  q->remote = q->home != (uint32_t)c->shard_me && c->shard_n > 1;
  if (!q->remote) __builtin_prefetch(&c->table[q->h & c->tmask]);
  else {   /* its routing cache entry instead, both lines: an entry may straddle two */
    const char *e = (const char *)sent_at(c, q->h);
    __builtin_prefetch(e, 1), __builtin_prefetch(e + sizeof(struct sent) - 1, 1);
  }
}

/* probe the table for every pending successor; the probes' cache misses overlap */
static void flush(struct worker *w) {
  struct ctx *c = w->c;
  for (int i = 0; i < w->npend; i++)
    if (!w->pend[i].remote) prefetch_state(c, w->pend[i].h);
  for (int i = 0; i < w->npend; i++) {
    struct pend *q = &w->pend[i];
    uint64_t slot;
    if (!q->remote && lookup(c, q->h, q->w, &slot)) {
      if (c->graph && q->protocol && !push_edge(w, (c->table[slot] & 0xffffffffu) - 1)) { w->oom = 1; break; }
      continue;
    }
    /* a shard sends a state once while its routing cache remembers it (a shard keeps no graph) */
    if (c->sent && routed(c, q->w, q->h)) continue;
    if (c->graph && q->protocol && !push_edge(w, CANDREF | w->nout)) { w->oom = 1; break; }
    if (w->nout == w->cap) {
      size_t cap = w->cap ? w->cap * 2 : 1024;
      struct cand *o = realloc(w->out, cap * sizeof *o);
      if (!o) { w->oom = 1; break; }
      w->out = o, w->cap = cap;
    }
    struct cand *o = &w->out[w->nout++];
    memcpy(o->w, q->w, sizeof q->w);
    o->h = q->h, o->parent = w->cur, o->via = q->via, o->home = q->home;
    o->mask = 0;
    if (w->state_pending) {   /* a shard checks state properties when it stores, not here */
      uint8_t s[NSLOTS];
      unpack(q->w, s);
      o->mask = state_mask(s, w->state_pending);
    }
  }
  w->npend = 0;
}

static void expand_batches(struct worker *w) {
  struct ctx *c = w->c;
  uint8_t s[NSLOTS];
  w->s = s;
  for (;;) {
    uint64_t b = __atomic_fetch_add(&c->next_batch, 1, __ATOMIC_RELAXED);
    if (b >= c->nbatch) return;
    c->batch_w[b] = (uint32_t)(w - c->w);
    c->batch_off[b] = w->nout;
    c->batch_e[b] = w->nedge, c->batch_d[b] = w->ndeg;
    uint64_t lo = c->lo + b * BATCH, hi = lo + BATCH < c->hi ? lo + BATCH : c->hi;
    for (uint64_t id = lo; id < hi && !w->err && !w->oom; id++) {
      unpack(state_at(c, id), s);
      w->cur = (uint32_t)id, w->protocol = 0, w->has_first = 0;
      size_t before = w->nedge;
      successors(s, w);
#if POR
      if (c->por) {
        struct porw *p = w->pw;
        por_choose(w, s, w->protocol);
        for (size_t i = 0; i < p->np; i++)
          if (p->take[i]) take(w, (int)p->k[i], p->n + i * NSLOTS, p->env[i]);
        p->np = 0;
      }
#endif
      flush(w);
      if (c->graph && !push_deg(w, (uint32_t)(w->nedge - before))) w->oom = 1;
      if (!w->protocol)
        for (int j = 0; j < NQUIETP; j++)
          if (!(c->dec_quiet >> j & 1) && w->quiet_id[j] == NONE && !QUIETP[j](s)) w->quiet_id[j] = (uint32_t)id;
      if (c->settle && c->prog_open) settle_check(c, w, s, (uint32_t)id);
    }
    c->batch_n[b] = w->nout - c->batch_off[b];
  }
}

static void *worker_main(void *arg) {
  expand_batches(arg);
  return NULL;
}

static int expand_chunk(struct ctx *c, uint64_t lo, uint64_t hi) {
  c->lo = lo, c->hi = hi, c->next_batch = 0;
  c->nbatch = (hi - lo + BATCH - 1) / BATCH;
  if (c->nbatch > c->batchcap) {
    size_t cap = c->nbatch;
    free(c->batch_w), free(c->batch_off), free(c->batch_n), free(c->batch_e), free(c->batch_d);
    c->batch_w = malloc(cap * 4), c->batch_off = malloc(cap * sizeof(size_t)), c->batch_n = malloc(cap * sizeof(size_t));
    c->batch_e = malloc(cap * sizeof(size_t)), c->batch_d = malloc(cap * sizeof(size_t));
    if (!c->batch_w || !c->batch_off || !c->batch_n || !c->batch_e || !c->batch_d) { c->batchcap = 0; return NM_MEMORY; }
    c->batchcap = cap;
  }
  for (int i = 0; i < c->nworkers; i++) {
    struct worker *w = &c->w[i];
    w->nout = 0, w->transitions = 0, w->oom = 0, w->err = 0, w->nedge = 0, w->ndeg = 0;
    w->step_pending = ~c->dec_step & (NSTEPP == 64 ? ~0ull : (1ull << NSTEPP) - 1);
    w->state_pending = ~c->dec_state;
    for (int j = 0; j < NSTEPP; j++) w->step_id[j] = NONE;
    for (int j = 0; j < NQUIETP; j++) w->quiet_id[j] = NONE;
  }
  settle_chunk_start(c);
  int started = 0;
  for (int i = 1; i < c->nworkers && c->nbatch >= 8; i++, started++)   /* small levels: not worth a thread */
    if (pthread_create(&c->w[i].tid, NULL, worker_main, &c->w[i])) break;
  expand_batches(&c->w[0]);
  for (int i = 1; i <= started; i++) pthread_join(c->w[i].tid, NULL);
  int status = NM_MORE;
  for (int i = 0; i < c->nworkers; i++) {
    struct worker *w = &c->w[i];
    if (w->oom) status = NM_MEMORY;
    if (w->err && (status != NM_RANGE || w->err_id < c->err_id)) {
      status = NM_RANGE;
      c->err_id = w->err_id, c->err_k = w->err_k, c->err_slot = w->err_slot, c->err_value = w->err_value;
    }
  }
  if (status != NM_MORE) return status;
  /* one thread, batch order: the same numbering and first hits as a sequential search */
  for (uint64_t b = 0; b < c->nbatch; b++) {
    struct cand *o = c->w[c->batch_w[b]].out + c->batch_off[b];
    for (size_t i = 0; i < c->batch_n[b]; i++, o++) {
      uint64_t slot;
      if (lookup(c, o->h, o->w, &slot)) {
        o->id = (uint32_t)((c->table[slot] & 0xffffffffu) - 1);
        if (c->settle) c->table[slot] |= inherited(c, &c->w[c->batch_w[b]], o->h);
        continue;
      }
      uint64_t id = c->count;
      o->id = (uint32_t)id;
      if (!insert(c, o->w, o->h, slot, o->parent, o->via)) return NM_MEMORY;
      uint64_t marks = c->settle ? inherited(c, &c->w[c->batch_w[b]], o->h) : 0;
      if (marks) lookup(c, o->h, o->w, &slot), c->table[slot] |= marks;   /* the table may have grown */
      for (uint64_t m = o->mask & ~c->dec_state; m; m &= m - 1) {
        int j = __builtin_ctzll(m);
        c->state_hit[j] = (uint32_t)id;
        c->dec_state |= 1ull << j;
      }
    }
  }
  if (c->graph && !merge_edges(c, lo)) return NM_MEMORY;
  settle_chunk_end(c);
  for (int i = 0; i < c->nworkers; i++) {
    struct worker *w = &c->w[i];
    c->transitions += w->transitions;
    for (int j = 0; j < NSTEPP; j++)
      if (!(c->dec_step >> j & 1) && w->step_id[j] != NONE && w->step_id[j] < c->step_hit[j]) {
        c->step_hit[j] = w->step_id[j], c->step_k[j] = w->step_k[j];
        memcpy(c->step_t[j], w->step_t[j], NSLOTS);
      }
    for (int j = 0; j < NQUIETP; j++)
      if (!(c->dec_quiet >> j & 1) && w->quiet_id[j] < c->quiet_hit[j]) c->quiet_hit[j] = w->quiet_id[j];
  }
  for (int j = 0; j < NSTEPP; j++) if (c->step_hit[j] != NONE) c->dec_step |= 1ull << j;
  for (int j = 0; j < NQUIETP; j++) if (c->quiet_hit[j] != NONE) c->dec_quiet |= 1ull << j;
  return NM_MORE;
}

/* ---- the interface Python drives through ctypes ---- */

void nm_free(struct ctx *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nblocks; i++) big_free(c->blocks[i], STATE_BYTES), free(c->links[i]);
  for (int i = 0; i < c->nworkers; i++) {
    struct worker *w = &c->w[i];
    free(w->out), free(w->edge), free(w->deg), free(w->fired), free(w->enabled), free(w->stamp);
    por_free(w), settle_free(w);
  }
  for (int p = 0; p < NPROGP; p++) free(c->lasso_s[p]);
  if (c->eoff) for (size_t i = 0; i < c->nblocks; i++) free(c->eoff[i]);
  for (size_t i = 0; i < c->neblk; i++) free(c->eblk[i]);
  for (int p = 0; p < NPROGP; p++) free(c->lasso[p]);
  free(c->eoff), free(c->ebase), free(c->eblk);
  big_free(c->table, (c->tmask + 1) * 8);
  free(c->blocks), free(c->links), free(c->w), free(c->level_start);
  free(c->batch_w), free(c->batch_off), free(c->batch_n), free(c->batch_e), free(c->batch_d);
  free(c);
}

struct ctx *nm_new(int workers, int sym, int fp, uint64_t max_states, uint64_t mem_limit,
                   uint64_t dec_state, uint64_t dec_quiet, uint64_t dec_step, int graph, int cov, int por) {
  struct ctx *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->fp = fp, c->fpmask = ~0ull;
  c->nworkers = workers < 1 ? 1 : workers;
  c->sym = sym, c->max_states = max_states, c->mem_limit = mem_limit;
  c->dec_state = dec_state, c->dec_quiet = dec_quiet, c->dec_step = dec_step;
  c->w = calloc(c->nworkers, sizeof *c->w);
  c->table = calloc(1 << 16, 8);
  c->tmask = (1 << 16) - 1;
  c->grow_at = (1 << 16) * 7 / 10 + 1;
  c->level_start = calloc(64, sizeof *c->level_start);
  c->levelcap = 64;
  if (!c->w || !c->table || !c->level_start) { nm_free(c); return NULL; }
  /* with fingerprints no id can be looked up, and a reduced graph may hide the way out: no graph */
  c->graph = graph && !fp && !por, c->cov = cov, c->por = por && POR;
  for (int i = 0; i < c->nworkers; i++) {
    struct worker *w = &c->w[i];
    w->c = c;
    if (cov && (!(w->fired = calloc(NRULES, 8)) || !(w->enabled = calloc(NRULENAMES, 8))
                || !(w->stamp = calloc(NRULENAMES, 4)))) { nm_free(c); return NULL; }
    if (c->por && !por_init(w)) { nm_free(c); return NULL; }
  }
  for (int j = 0; j <= NSTATEP; j++) c->state_hit[j] = NONE;
  for (int j = 0; j <= NQUIETP; j++) c->quiet_hit[j] = NONE;
  for (int j = 0; j <= NSTEPP; j++) c->step_hit[j] = NONE;
  for (int p = 0; p <= NPROGP; p++) c->prog_stuck[p] = -1, c->prog_over[p] = NONE;
  return c;
}

/* an initial state (checked against the schema by the caller): canonicalised, stored once, its state
   properties checked; 0 when out of memory */
int nm_add_init(struct ctx *c, const uint8_t *s) {
  uint8_t best[NSLOTS];
  uint64_t p[NWORDS], slot;
  if (c->sym && NPERM) canon(s, best); else memcpy(best, s, NSLOTS);
  pack(best, p);
  uint64_t h = hash_words(p), id = c->count;
  if (lookup(c, h, p, &slot)) return 1;
  if (!insert(c, p, h, slot, NONE, 0)) return 0;
  for (uint64_t m = state_mask(best, ~c->dec_state); m; m &= m - 1) {
    int j = __builtin_ctzll(m);
    c->state_hit[j] = (uint32_t)id;
    c->dec_state |= 1ull << j;
  }
  c->level_end = c->count;
  return 1;
}

/* expand up to `budget` states; a chunk never crosses a BFS level, so depth counts as in Python */
int nm_run(struct ctx *c, uint64_t budget) {
  uint64_t done = 0;
  while (done < budget) {
    if (c->next == c->count) return NM_DONE;
    if (c->next == c->level_end) {
      if (c->depth + 1 >= c->levelcap) {
        uint64_t *l = realloc(c->level_start, 2 * c->levelcap * sizeof *l);
        if (!l) return NM_MEMORY;
        c->level_start = l, c->levelcap *= 2;
      }
      c->depth++, c->level_end = c->count;
      c->level_start[c->depth] = c->next;
    }
    uint64_t hi = c->next + (budget - done);
    if (hi > c->level_end) hi = c->level_end;
    int st = expand_chunk(c, c->next, hi);
    if (st != NM_MORE) return st;
    done += hi - c->next;
    c->next = hi;
    if (c->fp)   /* expanded states are needed no more: traces are re-derived from parent links */
      for (uint64_t b = c->nblocks - c->live; (b + 1) * BLOCK <= c->next; b++)
        big_free(c->blocks[b], STATE_BYTES), c->blocks[b] = NULL, c->live--;
    if (c->max_states && c->count >= c->max_states && c->next < c->count) return NM_LIMIT;
    if (c->mem_limit && mem_used(c) > c->mem_limit) return NM_MEMORY;
  }
  return c->next == c->count ? NM_DONE : NM_MORE;
}

void nm_counts(struct ctx *c, uint64_t *out) {
  out[0] = c->count, out[1] = c->transitions, out[2] = c->depth, out[3] = c->next, out[4] = mem_used(c);
}

/* the visited table: its slots and how many hold a state (its load, which make_room lets pass 70%) */
void nm_table(struct ctx *c, uint64_t *out) { out[0] = c->tmask + 1, out[1] = c->tused; }

/* 0 when the state's block was freed (fingerprint mode): the caller re-derives it */
int nm_state(struct ctx *c, uint64_t id, uint8_t *out) {
  if (!c->blocks[id >> BLOCK_BITS]) return 0;
  unpack(state_at(c, id), out);
  return 1;
}

int64_t nm_parent(struct ctx *c, uint64_t id) { return *parent_at(c, id) == NONE ? -1 : (int64_t)*parent_at(c, id); }

int64_t nm_via(struct ctx *c, uint64_t id) { return *parent_at(c, id) == NONE ? -1 : (int64_t)*via_at(c, id); }

/* kind 0 state, 1 quiescent, 2 step: the deciding state id or -1; a step hit also gives rule and target */
int64_t nm_hit(struct ctx *c, int kind, int j, int64_t *k, uint8_t *target) {
  uint32_t id = kind == 0 ? c->state_hit[j] : kind == 1 ? c->quiet_hit[j] : c->step_hit[j];
  if (kind == 2 && id != NONE) *k = c->step_k[j], memcpy(target, c->step_t[j], NSLOTS);
  return id == NONE ? -1 : (int64_t)id;
}

void nm_error(struct ctx *c, int64_t *out) {
  out[0] = c->err_id, out[1] = c->err_k, out[2] = c->err_slot, out[3] = c->err_value;
}

/* states per BFS level so far, the number of levels filled: the level being expanded is complete;
   states found beyond it (a level still growing) are one more entry */
int nm_levels(struct ctx *c, uint64_t *out) {
  for (uint64_t d = 0; d <= c->depth; d++)
    out[d] = (d < c->depth ? c->level_start[d + 1] : c->level_end) - c->level_start[d];
  if (c->count > c->level_end) out[c->depth + 1] = c->count - c->level_end;
  return (int)c->depth + 1 + (c->count > c->level_end);
}

int nm_nslots(void) { return NSLOTS; }
int nm_state_bytes(void) { return NWORDS * 8 + 4 + (int)sizeof(via_t); }
int nm_fingerprints(struct ctx *c) { return c->fp; }

/* after a complete search: decide the progress claims in `wanted` (0 done, 1 memory, 2 too many edges) */
int nm_progress(struct ctx *c, uint64_t wanted) {
  if (c->settle) return 0;   /* decided during the search */
  for (int p = 0; p < NPROGP; p++) c->prog_stuck[p] = -1;
  return c->graph ? progress_pass(c, wanted) : 1;
}

/* the shallowest state that cannot settle (-1: none); its lasso into `out` (up to `cap` ids), length in *len */
int64_t nm_stuck(struct ctx *c, int p, uint32_t *out, uint64_t cap, uint64_t *len) {
  *len = c->lasso_n[p];
  if (c->lasso[p]) memcpy(out, c->lasso[p], (c->lasso_n[p] < cap ? c->lasso_n[p] : cap) * 4);
  return c->prog_stuck[p];
}

void nm_graph(struct ctx *c, uint64_t *out) { out[0] = c->nedges, out[1] = graph_bytes(c); }

/* coverage summed over the workers: fired per rule instance, enabled states per rule */
void nm_coverage(struct ctx *c, uint64_t *fired, uint64_t *enabled) {
  memset(fired, 0, NRULES * 8), memset(enabled, 0, NRULENAMES * 8);
  for (int i = 0; i < c->nworkers && c->cov; i++) {
    for (int k = 0; k < NRULES; k++) fired[k] += c->w[i].fired[k];
    for (int r = 0; r < NRULENAMES; r++) enabled[r] += c->w[i].enabled[r];
  }
}
int nm_nrulenames(void) { return NRULENAMES; }

void nm_por(struct ctx *c, uint64_t *out) {   /* states expanded through a proper subset, transitions not taken */
  out[0] = out[1] = 0;
  for (int i = 0; i < c->nworkers; i++) out[0] += c->w[i].por_reduced, out[1] += c->w[i].por_pruned;
}
