/* The native engine's generic half, part 3: one shard of a distributed search (engine/distributed.py).
 *
 * A shard keeps its states in a ctx of its own (store.c: packed states in discovery order, parent
 * links, the hash table that is its part of the seen set) and is driven a chunk of its frontier at
 * a time: `nb_expand` runs the generated successor function over the chunk and sorts the canonical
 * successors this shard has not stored into one batch of wire records per home shard; `nb_absorb`
 * stores the unseen records of one source's batch.  Python only moves the batches (bytes).
 *
 * The home of a state is a hash of its partition key's slots (engine/partition.py: slots that most
 * transitions leave alone, so most successors stay home), or with no key a remix of its packed hash;
 * either way remixed apart from the table's index bits, so a shard's states fill its whole table.
 * The routing cache (store.c's `routed`, applied in flush) drops a successor sent recently.
 * Property hits are kept per property as the least (state bytes, rule, target), the order the
 * driver compares hits in, so the shard reports one candidate per property per call, not every hit.
 */

struct rec {                  /* a wire record: a canonical packed state and where it came from */
  uint64_t w[NWORDS];
  uint32_t parent, via;       /* the sender's local index and the rule instance */
};

/* the routing cache grows with the shard's table, a quarter of its slots, up to SENT_MAX_BITS:
   the more of the other shards' states it remembers, the fewer repeats cross the wire */
#define SENT_MIN_BITS 14
#define SENT_MAX_BITS 21
#define NO_SHARD 0xffffu

struct shard {
  struct ctx *c;
  int me, n;
  uint16_t *pshard;           /* per local state: the shard of its parent */
  size_t pcap;
  struct rec **out;           /* per destination: this call's records (one of the two sets below) */
  size_t *nout, *ocap;
  /* two sets of batches, by the parity of the round: a shard expands round c + 1 before it absorbs
     round c (its own batch of round c is still in C then), so it need not wait for the others */
  struct rec **outs[2];
  size_t *nouts[2], *ocaps[2];
  uint64_t transitions;
  /* the least hit of the current call per property; NONE when there is none */
  uint32_t step_id[NSTEPP + 1], step_k[NSTEPP + 1], quiet_id[NQUIETP + 1], state_id[NSTATEP + 1];
  uint8_t step_s[NSTEPP + 1][NSLOTS], step_t[NSTEPP + 1][NSLOTS];
  uint8_t quiet_s[NQUIETP + 1][NSLOTS], state_s[NSTATEP + 1][NSLOTS];
};

void nb_free(struct shard *sh) {
  if (!sh) return;
  for (int p = 0; p < 2; p++) {
    for (int d = 0; sh->outs[p] && d < sh->n; d++) free(sh->outs[p][d]);
    free(sh->outs[p]), free(sh->nouts[p]), free(sh->ocaps[p]);
  }
  if (sh->c) big_free(sh->c->sent, ((size_t)1 << sh->c->sent_bits) * sizeof(struct sent));
  free(sh->pshard);
  nm_free(sh->c);
  free(sh);
}

struct shard *nb_new(int me, int n, int sym, const uint16_t *key, int nkey, int fp) {
  struct shard *sh = calloc(1, sizeof *sh);
  if (!sh) return NULL;
  sh->me = me, sh->n = n;
  /* no graph, coverage or POR: a shard only expands.  With fingerprints (fp) its table keeps 64-bit
     hashes, not state ids, and a state's words are freed once its level is expanded (nb_release) */
  sh->c = nm_new(1, sym, fp, 0, 0, 0, 0, 0, 0, 0, 0);
  if (sh->c) {
    sh->c->shard_me = me, sh->c->shard_n = n;
    sh->c->nkey = nkey < 0 ? 0 : nkey > NSLOTS ? NSLOTS : nkey;
    for (int i = 0; i < sh->c->nkey; i++) sh->c->key[i] = key[i] < NSLOTS ? key[i] : 0;
    sh->c->sent = calloc((size_t)1 << SENT_MIN_BITS, sizeof(struct sent)), sh->c->sent_bits = SENT_MIN_BITS;
  }
  int ok = sh->c && sh->c->sent;
  for (int p = 0; p < 2; p++) {
    sh->outs[p] = calloc(n, sizeof *sh->out), sh->nouts[p] = calloc(n, sizeof(size_t));
    sh->ocaps[p] = calloc(n, sizeof(size_t));
    ok = ok && sh->outs[p] && sh->nouts[p] && sh->ocaps[p];
  }
  if (!ok) { nb_free(sh); return NULL; }
  sh->out = sh->outs[0], sh->nout = sh->nouts[0], sh->ocap = sh->ocaps[0];
  return sh;
}

static void begin(struct shard *sh) {
  sh->transitions = 0;
  for (int j = 0; j <= NSTEPP; j++) sh->step_id[j] = NONE;
  for (int j = 0; j <= NQUIETP; j++) sh->quiet_id[j] = NONE;
  for (int j = 0; j <= NSTATEP; j++) sh->state_id[j] = NONE;
}

/* is (s, k, t) below the kept hit (ks, kk, kt)? */
static int less(const uint8_t *s, uint32_t k, const uint8_t *t, uint32_t kid,
                const uint8_t *ks, uint32_t kk, const uint8_t *kt) {
  if (kid == NONE) return 1;
  int o = memcmp(s, ks, NSLOTS);
  if (o || !t) return o < 0;
  return k != kk ? k < kk : memcmp(t, kt, NSLOTS) < 0;
}

static void state_hits(struct shard *sh, const uint8_t *s, uint32_t id, uint64_t active) {
  for (uint64_t m = state_mask(s, active); m; m &= m - 1) {
    int j = __builtin_ctzll(m);
    if (less(s, 0, NULL, sh->state_id[j], sh->state_s[j], 0, NULL))
      sh->state_id[j] = id, memcpy(sh->state_s[j], s, NSLOTS);
  }
}

static int store(struct shard *sh, const uint64_t *w, uint64_t h, uint64_t slot, int src, uint32_t parent,
                 uint32_t via) {
  struct ctx *c = sh->c;
  if (c->count >= sh->pcap) {
    size_t cap = sh->pcap ? sh->pcap * 2 : 4096;
    uint16_t *p = realloc(sh->pshard, cap * sizeof *p);
    if (!p) return 0;
    sh->pshard = p, sh->pcap = cap;
  }
  sh->pshard[c->count] = src < 0 ? NO_SHARD : (uint16_t)src;
  return insert(c, w, h, slot, parent, via);
}

/* a larger routing cache once the table has grown, keeping what the old one remembers (an empty one
   would resend a burst of states the others hold already); on no memory the old one serves on */
static void fit_sent(struct ctx *c) {
  int want = __builtin_ctzll(c->tmask + 1) - 2;
  if (want > SENT_MAX_BITS) want = SENT_MAX_BITS;
  if (want <= c->sent_bits) return;
  struct sent *e = big_alloc(((size_t)1 << want) * sizeof *e), *old = c->sent;
  if (!e) return;
  size_t n = (size_t)1 << c->sent_bits;
  c->sent = e, c->sent_bits = want;
  for (size_t i = 0; i < n; i++)
    if (old[i].h) *sent_at(c, old[i].h) = old[i];
  big_free(old, n * sizeof *e);
}

/* hand the successors the worker kept (flush dropped those routed already) to their home shards,
   in the order they were found */
static int route_all(struct shard *sh, struct worker *w) {
  for (size_t i = 0; i < w->nout; i++) {
    const struct cand *o = &w->out[i];
    int d = (int)o->home;
    if (sh->nout[d] == sh->ocap[d]) {
      size_t cap = sh->ocap[d] ? sh->ocap[d] * 2 : 1024;
      struct rec *r = realloc(sh->out[d], cap * sizeof *r);
      if (!r) return 0;
      sh->out[d] = r, sh->ocap[d] = cap;
    }
    struct rec *r = &sh->out[d][sh->nout[d]++];
    memcpy(r->w, o->w, sizeof r->w);
    r->parent = o->parent, r->via = o->via;
  }
  w->nout = 0;
  return 1;
}

/* expand local states [lo, hi); 0, or NM_RANGE / NM_MEMORY */
int nb_expand(struct shard *sh, uint64_t lo, uint64_t hi, uint64_t step_on, uint64_t quiet_on, int parity) {
  struct ctx *c = sh->c;
  struct worker *w = &c->w[0];
  uint8_t s[NSLOTS];
  begin(sh);
  fit_sent(c);
  sh->out = sh->outs[parity & 1], sh->nout = sh->nouts[parity & 1], sh->ocap = sh->ocaps[parity & 1];
  for (int d = 0; d < sh->n; d++) sh->nout[d] = 0;
  w->s = s, w->err = w->oom = 0, w->transitions = 0, w->state_pending = 0, w->npend = 0;
  for (uint64_t id = lo; id < hi; id++) {
    unpack(state_at(c, id), s);
    w->cur = (uint32_t)id, w->protocol = 0;
    w->step_pending = step_on;
    successors(s, w);
    flush(w);
    if (w->err) return NM_RANGE;
    if (w->oom) return NM_MEMORY;
    if (w->nout >= 64 && !route_all(sh, w)) return NM_MEMORY;
    for (uint64_t m = step_on & ~w->step_pending; m; m &= m - 1) {   /* this state's first violation */
      int j = __builtin_ctzll(m);
      if (less(s, w->step_k[j], w->step_t[j], sh->step_id[j], sh->step_s[j], sh->step_k[j], sh->step_t[j])) {
        sh->step_id[j] = (uint32_t)id, sh->step_k[j] = w->step_k[j];
        memcpy(sh->step_s[j], s, NSLOTS), memcpy(sh->step_t[j], w->step_t[j], NSLOTS);
      }
    }
    if (!w->protocol)
      for (uint64_t m = quiet_on; m; m &= m - 1) {
        int j = __builtin_ctzll(m);
        if (!QUIETP[j](s) && less(s, 0, NULL, sh->quiet_id[j], sh->quiet_s[j], 0, NULL))
          sh->quiet_id[j] = (uint32_t)id, memcpy(sh->quiet_s[j], s, NSLOTS);
      }
  }
  if (!route_all(sh, w)) return NM_MEMORY;
  sh->transitions = w->transitions;
  return 0;
}

uint64_t nb_transitions(struct shard *sh) { return sh->transitions; }
uint64_t nb_out_count(struct shard *sh, int d) { return sh->nout[d]; }
const void *nb_out(struct shard *sh, int d) { return sh->out[d]; }
int nb_rec_bytes(void) { return (int)sizeof(struct rec); }

void nb_begin(struct shard *sh) { begin(sh); }

/* store the unseen records of `src`'s batch (NULL: this shard's own batch, which never leaves C, of
   the last nb_expand of parity n); the number stored, or -1 when memory ran out */
int64_t nb_absorb(struct shard *sh, int src, const uint8_t *blob, uint64_t n, uint64_t state_on) {
  /* a pipeline over the records, so that a probe's two cache misses overlap other records' work:
     record i is copied, hashed and its table slot fetched; LAG records later the state that slot
     names is fetched; LAG more and it is looked up (and stored when new) */
  enum { LAG = 32, RING = 128 };
  uint64_t added = 0, slot, hs[RING];
  uint8_t s[NSLOTS];
  struct rec r[RING];
  struct ctx *c = sh->c;
  if (!blob) blob = (const uint8_t *)sh->outs[n & 1][sh->me], n = sh->nouts[n & 1][sh->me];
  for (uint64_t i = 0; i < n + 2 * LAG; i++) {
    if (i < n) {
      struct rec *x = &r[i % RING];
      memcpy(x, blob + i * sizeof *x, sizeof *x);   /* a Python buffer: no alignment promised */
      hs[i % RING] = hash_words(x->w);
      __builtin_prefetch(&c->table[hs[i % RING] & c->tmask]);
    }
    if (i >= LAG && i - LAG < n) prefetch_state(c, hs[(i - LAG) % RING]);
    if (i < 2 * LAG || i - 2 * LAG >= n) continue;
    uint64_t j = (i - 2 * LAG) % RING;
    if (lookup(c, hs[j], r[j].w, &slot)) continue;
    uint32_t id = (uint32_t)c->count;
    if (!store(sh, r[j].w, hs[j], slot, src, r[j].parent, r[j].via)) return -1;
    added++;
    if (state_on) unpack(r[j].w, s), state_hits(sh, s, id, state_on);
  }
  return (int64_t)added;
}

/* an initial state (canonical, unpacked): stored when it lives here and is new; its id, -1 if not
   stored, -2 when memory ran out */
int64_t nb_seed(struct shard *sh, const uint8_t *s, uint64_t state_on) {
  uint64_t w[NWORDS], slot;
  pack(s, w);
  uint64_t h = hash_words(w);
  if (state_home(sh->c, s, h) != sh->me || lookup(sh->c, h, w, &slot)) return -1;
  uint32_t id = (uint32_t)sh->c->count;
  if (!store(sh, w, h, slot, -1, NONE, 0)) return -2;
  state_hits(sh, s, id, state_on);
  return id;
}

/* kind 0 state, 1 quiescent, 2 step: the local id of this call's least hit or -1 */
int64_t nb_hit(struct shard *sh, int kind, int j, int64_t *k, uint8_t *target) {
  uint32_t id = kind == 0 ? sh->state_id[j] : kind == 1 ? sh->quiet_id[j] : sh->step_id[j];
  if (kind == 2 && id != NONE) *k = sh->step_k[j], memcpy(target, sh->step_t[j], NSLOTS);
  return id == NONE ? -1 : (int64_t)id;
}

uint64_t nb_count(struct shard *sh) { return sh->c->count; }

/* one state's canonical bytes and links (the parent shard is -1 for an initial state); 0 when its
   words were freed (fingerprints: the driver re-derives it from its parent by the rule instance) */
int nb_link(struct shard *sh, uint64_t id, uint8_t *s, int64_t *out) {
  out[0] = sh->pshard[id] == NO_SHARD ? -1 : sh->pshard[id];
  out[1] = nm_parent(sh->c, id);
  out[2] = nm_via(sh->c, id);
  if (!sh->c->blocks[id >> BLOCK_BITS]) return 0;
  unpack(state_at(sh->c, id), s);
  return 1;
}

/* with fingerprints, free the words of the states below `upto` (expanded: their level is done),
   whole blocks at a time; block 0, which holds the initial states every trace starts from, stays */
void nb_release(struct shard *sh, uint64_t upto) {
  struct ctx *c = sh->c;
  if (!c->fp) return;
  for (uint64_t b = 1; (b + 1) * BLOCK <= upto && b < c->nblocks; b++)
    if (c->blocks[b]) big_free(c->blocks[b], STATE_BYTES), c->blocks[b] = NULL, c->live--;
}

/* take fingerprint h out of the table: linear probing's backward-shift deletion, so that every
   entry after it stays reachable from its home slot */
static void table_remove(struct ctx *c, uint64_t h) {
  uint64_t f = fingerprint(c, h), i = h & c->tmask;
  while (c->table[i] && c->table[i] != f) i = (i + 1) & c->tmask;
  if (!c->table[i]) return;
  for (uint64_t j = i;;) {
    j = (j + 1) & c->tmask;
    uint64_t e = c->table[j];
    if (!e) break;
    uint64_t k = e & c->tmask;   /* the entry's home slot, as grow_table places it */
    int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) c->table[i] = e, i = j;
  }
  c->table[i] = 0;
  c->tused--;
}

/* states [lo, hi) for a snapshot: packed words, parent shard, parent index, rule */
void nb_export(struct shard *sh, uint64_t lo, uint64_t hi, uint8_t *words, int32_t *ps, int64_t *pi, int32_t *via) {
  for (uint64_t id = lo; id < hi; id++, words += NWORDS * 8) {
    memcpy(words, state_at(sh->c, id), NWORDS * 8);
    *ps++ = sh->pshard[id] == NO_SHARD ? -1 : sh->pshard[id];
    *pi++ = nm_parent(sh->c, id);
    *via++ = (int32_t)nm_via(sh->c, id);
  }
}

/* append n snapshot states (as nb_export gave them); 0 when memory ran out */
int nb_import(struct shard *sh, uint64_t n, const uint8_t *words, const int32_t *ps, const int64_t *pi,
              const int32_t *via) {
  uint64_t w[NWORDS], slot;
  for (uint64_t i = 0; i < n; i++, words += NWORDS * 8) {
    memcpy(w, words, NWORDS * 8);
    uint64_t h = hash_words(w);
    if (lookup(sh->c, h, w, &slot)) continue;
    if (!store(sh, w, h, slot, ps[i], pi[i] < 0 ? NONE : (uint32_t)pi[i], via[i] < 0 ? 0 : (uint32_t)via[i]))
      return 0;
  }
  return 1;
}

/* forget every state from `keep` on (a failed round): the table is rebuilt from the states kept, or
   with fingerprints the forgotten states' entries are taken out (they are the failed level's, not
   yet expanded, so their words are still here); the routing cache is forgotten too, since what it
   remembers sending may be lost with the round.  0 when a state to forget was freed already */
int nb_truncate(struct shard *sh, uint64_t keep) {
  struct ctx *c = sh->c;
  if (keep > c->count) return 1;
  memset(c->sent, 0, ((size_t)1 << c->sent_bits) * sizeof(struct sent));
  if (c->fp && keep) {
    for (uint64_t id = keep; id < c->count; id++) {
      if (!c->blocks[id >> BLOCK_BITS]) return 0;
      table_remove(c, hash_words(state_at(c, id)));
    }
    c->count = keep;
    return 1;
  }
  memset(c->table, 0, (c->tmask + 1) * 8);
  c->tused = 0;
  c->count = keep;
  if (c->fp) {   /* empty: every block is allocated afresh */
    for (size_t b = 0; b < c->nblocks; b++) {
      if (c->blocks[b]) big_free(c->blocks[b], STATE_BYTES), c->live--;
      free(c->links[b]);
    }
    c->nblocks = 0;
    return 1;
  }
  for (uint64_t id = 0; id < keep; id++) {
    uint64_t h = hash_words(state_at(c, id)), i = h & c->tmask;
    while (c->table[i]) i = (i + 1) & c->tmask;
    c->table[i] = (h >> 32) << 32 | (id + 1);
    c->tused++;
  }
  return 1;
}

uint64_t nb_memory(struct shard *sh) {
  return mem_used(sh->c) + sh->pcap * 2 + ((size_t)1 << sh->c->sent_bits) * sizeof(struct sent);
}

/* the first rule instance of the last call that stored a value outside its slot's domain */
void nb_error(struct shard *sh, int64_t *out) {
  struct worker *w = &sh->c->w[0];
  out[0] = w->err_id, out[1] = w->err_k, out[2] = w->err_slot, out[3] = w->err_value;
}
