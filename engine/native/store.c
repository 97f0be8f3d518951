/* The native engine's generic half, part 1: the run's structures, state storage, hashing and
 * symmetry.  part 2 (runtime.c) has the workers, the BFS loop and the ctypes interface.
 *
 * Compiled after the generated half (gen.py), which defines NSLOTS, NWORDS, via_t, pack/unpack,
 * the symmetry tables, the property tables and successors().  States live packed in an arena in
 * discovery order (the arena is also the BFS queue), so the numbering, the parent links and every
 * "first hit" are exactly those of the Python engine.  Each call to nm_run expands a chunk of one
 * BFS level: workers expand batches of it in parallel against a read-only table, then one thread
 * inserts their candidates in batch order.  Parallelism therefore never changes the result.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define BLOCK_BITS 16
#define BLOCK (1u << BLOCK_BITS)
#define BATCH 64
#define NONE UINT32_MAX
#define MAXPEND 32       /* successors whose table probes are prefetched together */

enum { NM_MORE = 0, NM_DONE = 1, NM_LIMIT = 2, NM_MEMORY = 3, NM_RANGE = -1 };

struct cand {            /* a successor not yet known, in canonical packed form */
  uint64_t w[NWORDS];
  uint64_t h, mask;      /* mask: state properties this state decides */
  uint32_t parent, via, id;   /* id: the state's number, set when the chunk is merged */
  uint32_t home;              /* a shard's successor: the shard it belongs to (batch.c) */
};

struct pend {            /* a canonical successor waiting for its table probe */
  uint64_t w[NWORDS];
  uint64_t h;
  uint32_t via;
  uint16_t protocol, remote;   /* remote: homed on another shard (batch.c), so never in this table */
  uint32_t home;
};

struct worker {
  struct ctx *c;
  struct pend pend[MAXPEND];
  int npend;
  struct cand *out;
  size_t nout, cap;
  uint64_t transitions;
  uint32_t cur;
  const uint8_t *s;
  int protocol, oom, err;
  uint64_t step_pending, state_pending;
  uint32_t step_id[NSTEPP + 1], step_k[NSTEPP + 1];
  uint8_t step_t[NSTEPP + 1][NSLOTS];
  uint32_t quiet_id[NQUIETP + 1];
  int err_k, err_slot, err_value;
  uint32_t err_id;
  pthread_t tid;
  /* kept protocol edges of this chunk: a known state id, or CANDREF | index into out */
  uint64_t *edge;
  size_t nedge, ecap;
  uint32_t *deg;         /* protocol out-degree of each state this worker expanded in the chunk */
  size_t ndeg, dcap;
  uint64_t *fired, *enabled;   /* coverage: per rule instance, per rule */
  uint32_t *stamp;             /* per rule: 1 + the last state counted as enabling it */
  struct porw *pw;             /* partial-order reduction (por.c): successors held for the ample set */
  struct settlew *sw;          /* progress without a graph (settle.c) */
  int walking, walk_err;       /* successors() runs for settle.c: emit hands it the states */
  int has_first;               /* the state expanded has a protocol successor: the first, canonical */
  uint64_t first_h;
  uint8_t first_s[NSLOTS];
  uint64_t por_reduced, por_pruned;
};

struct sent {                 /* a recently routed state (batch.c): an exact, lossy cache (a miss resends) */
  uint64_t h;
  uint64_t w[NWORDS];
};

struct ctx {
  int nworkers, sym;
  int shard_me, shard_n;  /* a shard of a distributed search (batch.c): successors homed elsewhere skip the table */
  struct sent *sent;      /* a shard's routing cache: flush drops a successor routed already */
  int sent_bits;
  /* the partition key (engine/partition.py): the slots whose values alone decide a state's home
     shard, chosen so that most transitions leave them alone and stay on their shard; none: every slot */
  int nkey;
  uint16_t key[NSLOTS];
  uint64_t **blocks;     /* BLOCK packed states each; with fingerprints, freed once expanded */
  uint32_t **links;      /* BLOCK parent ids, then BLOCK rule indices, each */
  size_t nblocks, blockcap, live;
  int fp;                /* the table keeps 64-bit fingerprints, not state ids: no state compare */
  uint64_t fpmask;       /* fingerprint bits; the bits above are settle.c's per-claim marks */
  uint64_t count, next, level_end, depth, transitions, max_states, mem_limit;
  uint64_t *level_start;         /* first state id of each BFS level (ids are in BFS order) */
  size_t levelcap;
  uint64_t *table, tmask, tused;
  uint64_t grow_at;      /* tused at which the table next tries to double (make_room) */
  uint64_t dec_state, dec_quiet, dec_step;
  uint32_t state_hit[NSTATEP + 1], quiet_hit[NQUIETP + 1], step_hit[NSTEPP + 1], step_k[NSTEPP + 1];
  uint8_t step_t[NSTEPP + 1][NSLOTS];
  int err_k, err_slot, err_value;
  uint32_t err_id;
  /* the chunk being expanded */
  uint64_t lo, hi, nbatch, next_batch;
  uint32_t *batch_w;
  size_t *batch_off, *batch_n, batchcap;
  size_t *batch_e, *batch_d;     /* where each batch's edges and degrees start in its worker's buffers */
  struct worker *w;
  /* the protocol-edge graph (progress claims): state i's edges are edges[ebase[b] + eoff[b][i % BLOCK]
     ...], b its block; a state without protocol edges is quiet */
  int graph, cov, por;
  uint32_t **eoff, **eblk;
  uint64_t *ebase, nedges;
  size_t neblk, eblkcap;
  int64_t prog_stuck[NPROGP + 1];
  uint32_t *lasso[NPROGP + 1];
  size_t lasso_n[NPROGP + 1];
  /* progress decided while exploring (settle.c): claims still open, first undecided state, lassos as states */
  int settle;
  uint64_t prog_open;
  uint32_t prog_over[NPROGP + 1];
  uint8_t *lasso_s[NPROGP + 1];
};

#define STATE_BYTES ((size_t)BLOCK * NWORDS * 8)
#define LINK_BYTES ((size_t)BLOCK * (4 + sizeof(via_t)))

static inline uint64_t *state_at(struct ctx *c, uint64_t id) {
  return c->blocks[id >> BLOCK_BITS] + (id & (BLOCK - 1)) * NWORDS;
}

static inline uint32_t *parent_at(struct ctx *c, uint64_t id) {
  return c->links[id >> BLOCK_BITS] + (id & (BLOCK - 1));
}

static inline via_t *via_at(struct ctx *c, uint64_t id) {
  return (via_t *)(c->links[id >> BLOCK_BITS] + BLOCK) + (id & (BLOCK - 1));
}

static inline uint64_t hash_words(const uint64_t *w) {
  uint64_t h = 0x243f6a8885a308d3ull;
  for (int i = 0; i < NWORDS; i++) {
    h ^= w[i];
    h *= 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

/* the shard that owns a state of packed hash h among n: a remix of the hash, since the table indexes
   by the hash's low bits and a shard's states must still fill its whole table */
static inline int shard_home(uint64_t h, int n) {
  uint64_t x = (h ^ (h >> 31)) * 0x94d049bb133111ebull;
  return (int)(((x >> 32) * (uint64_t)n) >> 32);
}

/* the home shard of canonical state s (unpacked; h: its packed hash): the key slots' values hashed
   as engine/partition.py's `key_home` does, or the whole state's when there is no key */
static inline int state_home(struct ctx *c, const uint8_t *s, uint64_t h) {
  if (!c->nkey) return shard_home(h, c->shard_n);
  uint64_t k = 0x243f6a8885a308d3ull;
  for (int i = 0; i < c->nkey; i++) k = (k ^ s[c->key[i]]) * 0x100000001b3ull;
  return shard_home(k, c->shard_n);
}

/* the table holds (hash tag << 32 | id + 1), or with fingerprints the hash itself; 0 is empty */
static inline uint64_t fingerprint(struct ctx *c, uint64_t h) { return h & c->fpmask ? h & c->fpmask : 1; }

static inline int same_words(const uint64_t *a, const uint64_t *b) {
  for (int i = 0; i < NWORDS; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

static inline int lookup(struct ctx *c, uint64_t h, const uint64_t *w, uint64_t *slot) {
  uint64_t i = h & c->tmask, tag = h >> 32;
  for (;;) {
    uint64_t e = c->table[i];
    *slot = i;   /* found: the caller reads the id there */
    if (!e) return 0;
    if (c->fp ? (e & c->fpmask) == fingerprint(c, h)
              : (e >> 32) == tag && same_words(state_at(c, (e & 0xffffffffu) - 1), w)) return 1;
    i = (i + 1) & c->tmask;
  }
}

/* the second step of a probe, once its table slot is in cache: fetch the state the slot names (both
   lines, as a packed state may straddle two) so that `lookup` compares without waiting.  The empty
   asm keeps it: GCC deletes a loop whose body only prefetches (gcc 12, -O1 and -O2), as it did the
   loop in flush that did this before */
static inline void prefetch_state(struct ctx *c, uint64_t h) {
  uint64_t e = c->table[h & c->tmask];
  if (e && !c->fp && (e >> 32) == (h >> 32)) {
    const char *p = (const char *)state_at(c, (e & 0xffffffffu) - 1);
    __builtin_prefetch(p), __builtin_prefetch(p + NWORDS * 8 - 1);
    __asm__ volatile("");
  }
}

#define HUGE_PAGE ((size_t)2 << 20)

/* an array probed at random (the table, the state blocks, a shard's routing cache): from 2 MB on,
   its own mapping, aligned to and advised for 2 MB pages where the kernel offers them (transparent
   huge pages, also in "madvise" mode), as with 4 kB pages nearly every probe of a large table also
   misses the TLB.  A fresh mapping is zero already, and it keeps the advice off malloc's memory.
   Always zeroed; freed with big_free and the same size. */
static size_t page_round(size_t bytes) { return (bytes + 4095) & ~(size_t)4095; }

static void *big_alloc(size_t bytes) {
  if (bytes < HUGE_PAGE) return calloc(1, bytes);
  size_t size = page_round(bytes), len = size + HUGE_PAGE;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  if (a > p) munmap(p, a - p);
  if (p + len > a + size) munmap(a + size, p + len - (a + size));
#ifdef MADV_HUGEPAGE
  madvise(a, size, MADV_HUGEPAGE);
#endif
  return a;
}

static inline struct sent *sent_at(struct ctx *c, uint64_t h) {
  return &c->sent[(h * 0x9e3779b97f4a7c15ull) >> (64 - c->sent_bits)];
}

/* a state routed already (to any shard, this one included) is not routed again while cached */
static inline int routed(struct ctx *c, const uint64_t *w, uint64_t h) {
  if (!h) return 0;
  struct sent *e = sent_at(c, h);
  if (e->h == h && same_words(e->w, w)) return 1;
  e->h = h, memcpy(e->w, w, NWORDS * 8);
  return 0;
}

static void big_free(void *p, size_t bytes) {
  if (!p) return;
  if (bytes < HUGE_PAGE) free(p);
  else munmap(p, page_round(bytes));
}

#define EBLOCK_BITS 20
#define EBLOCK (1u << EBLOCK_BITS)

static uint64_t graph_bytes(struct ctx *c) {
  return (uint64_t)c->neblk * EBLOCK * 4 + (c->graph ? (uint64_t)c->nblocks * (BLOCK * 4 + 8) : 0);
}

static uint64_t settle_bytes(struct worker *w);

static uint64_t mem_used(struct ctx *c) {
  uint64_t m = (uint64_t)c->live * STATE_BYTES + (uint64_t)c->nblocks * LINK_BYTES
             + (c->tmask + 1) * 8;
  for (int i = 0; i < c->nworkers; i++)
    m += c->w[i].cap * sizeof(struct cand) + c->w[i].ecap * 8 + c->w[i].dcap * 4 + settle_bytes(&c->w[i]);
  return m + graph_bytes(c);
}

static int grow_table(struct ctx *c) {
  uint64_t size = (c->tmask + 1) * 2, *t = big_alloc(size * 8);
  if (!t) return 0;
  for (uint64_t i = 0; i <= c->tmask; i++) {
    uint64_t e = c->table[i];
    if (!e) continue;
    uint64_t j = (c->fp ? e & c->fpmask : hash_words(state_at(c, (e & 0xffffffffu) - 1))) & (size - 1);
    while (t[j]) j = (j + 1) & (size - 1);
    t[j] = e;
  }
  big_free(c->table, (c->tmask + 1) * 8);
  c->table = t;
  c->tmask = size - 1;
  c->grow_at = size * 7 / 10 + 1;
  return 1;
}

/* MemAvailable from /proc/meminfo, in bytes; 0 when it cannot be read (then only the budget counts) */
static uint64_t mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[128];
  unsigned long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
  fclose(f);
  return (uint64_t)kb * 1024;
}

#define MAX_LOAD_PCT 88    /* linear probing: ~(1 + 1/(1-a)^2)/2 = 35 slots per miss, 5 cache lines */
#define HEADROOM (512ull << 20)

/* The table is 70% full.  Doubling it needs the old and the new table side by side for a moment:
   where that does not fit the memory budget, or the memory the machine has free (two shards on one
   machine grow in turn), the table fills on to 88% instead, slower to probe but with 1.26x the
   states, and asks again every 1% (expanded states' blocks are freed meanwhile with fingerprints).
   At 88% with no room to double, the run stops with what it found: 0, reported as out of memory. */
static int make_room(struct ctx *c) {
  uint64_t slots = c->tmask + 1, want = slots * 2 * 8, avail = slots * 8 >= HUGE_PAGE ? mem_available() : 0;
  int fits = !(c->mem_limit && mem_used(c) + want > c->mem_limit) && !(avail && avail < want + HEADROOM);
  if (fits) return grow_table(c);
  uint64_t full = slots * MAX_LOAD_PCT / 100;
  if (c->tused >= full) return 0;
  c->grow_at = c->tused + slots / 100 < full ? c->tused + slots / 100 : full;
  return 1;
}

/* store a new state; 0 when memory ran out */
static int insert(struct ctx *c, const uint64_t *w, uint64_t h, uint64_t slot, uint32_t parent, uint32_t via) {
  uint64_t id = c->count;
  if (id >= NONE - 1) return 0;
  if ((id >> BLOCK_BITS) >= c->nblocks) {
    if (c->nblocks == c->blockcap) {
      size_t cap = c->blockcap ? c->blockcap * 2 : 64;
      uint64_t **b = realloc(c->blocks, cap * sizeof *b);
      if (!b) return 0;
      c->blocks = b;
      uint32_t **l = realloc(c->links, cap * sizeof *l);
      if (!l) return 0;
      c->links = l;
      if (c->graph) {
        uint32_t **e = realloc(c->eoff, cap * sizeof *e);
        if (!e) return 0;
        c->eoff = e;
        uint64_t *base = realloc(c->ebase, cap * sizeof *base);
        if (!base) return 0;
        c->ebase = base;
      }
      c->blockcap = cap;
    }
    if (c->graph && !(c->eoff[c->nblocks] = malloc(BLOCK * 4))) return 0;
    if (!(c->blocks[c->nblocks] = big_alloc(STATE_BYTES))) return 0;
    if (!(c->links[c->nblocks] = malloc(LINK_BYTES))) return 0;
    c->nblocks++, c->live++;
  }
  memcpy(state_at(c, id), w, NWORDS * 8);
  *parent_at(c, id) = parent;
  *via_at(c, id) = (via_t)via;
  c->table[slot] = c->fp ? fingerprint(c, h) : (h >> 32) << 32 | (id + 1);
  c->count++;
  if (++c->tused >= c->grow_at) return make_room(c);
  return 1;
}

static void canon(const uint8_t *s, uint8_t *best) {
  memcpy(best, s, NSLOTS);
  for (int g = 0; g < NPERM; g++) {
    const uint16_t *src = PSRC[g];
    const uint8_t *vm = PVM[g];
    for (int j = 0; j < NSLOTS; j++) {
      int a = VMAP[vm[j]][s[src[j]]];
      if (a != best[j]) {   /* the first differing slot decides: the rest need not be built */
        if (a < best[j])
          for (; j < NSLOTS; j++) best[j] = VMAP[vm[j]][s[src[j]]];
        break;
      }
    }
  }
}

static uint64_t state_mask(const uint8_t *s, uint64_t pending) {
  uint64_t m = 0;
  for (int j = 0; j < NSTATEP; j++)
    if ((pending >> j & 1) && STATEP[j](s) == STATEP_WANT[j]) m |= 1ull << j;
  return m;
}
