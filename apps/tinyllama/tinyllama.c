// tinyllama: Llama-2 architecture inference for llama2.c-format checkpoints.
//
// C11 + libm + POSIX file mapping, single-threaded, one translation unit, so
// the same source builds natively and as LLVM bitcode for the gts engine. The
// arithmetic follows the reference semantics in docs/TINYLLAMA.md bit for bit:
// float32, sequential summation, no FMA contraction (build with
// -ffp-contract=off).

#define _POSIX_C_SOURCE 200809L // open, fstat, mmap
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// Exit codes (documented in docs/TINYLLAMA.md).
enum {
  EXIT_USAGE = 2,     // bad command line: unknown flag, bad number
  EXIT_CKPT_IO = 3,   // checkpoint cannot be opened or read
  EXIT_CKPT_BAD = 4,  // checkpoint header invalid or size mismatch
  EXIT_TOKENIZER = 5, // tokenizer missing, malformed or not matching
  EXIT_PROMPT = 6,    // prompt does not fit or cannot be encoded
  EXIT_NO_MEMORY = 7, // allocation failed
};

enum { TOKEN_BOS = 1 };

// Prints a one-line error and exits. A macro rather than a variadic function
// keeps va_start/va_list out of the IR, which the gts interpreter runs.
#define die(code, ...)                                                         \
  (fprintf(stderr, "tinyllama: error: " __VA_ARGS__), fputc('\n', stderr),     \
   exit(code))

static void *xalloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size)
    die(EXIT_NO_MEMORY, "out of memory (size overflow)");
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p)
    die(EXIT_NO_MEMORY, "out of memory (%zu x %zu bytes)", count, size);
  return p;
}

// ---------------------------------------------------------------------------
// Checkpoint

typedef struct {
  int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
  int shared_classifier; // 1 when the header's vocab_size was positive
  int head_size, kv_dim;
} Config;

typedef struct {
  const float *token_embedding; // (vocab, dim)
  const float *rms_att;         // (layers, dim)
  const float *wq;              // (layers, dim, dim)
  const float *wk, *wv;         // (layers, kv_dim, dim)
  const float *wo;              // (layers, dim, dim)
  const float *rms_ffn;         // (layers, dim)
  const float *w1, *w3;         // (layers, hidden, dim)
  const float *w2;              // (layers, dim, hidden)
  const float *rms_final;       // (dim)
  const float *wcls;            // (vocab, dim)
} Weights;

// Multiplies sizes, saturating to UINT64_MAX on overflow so that a hostile
// header yields a size mismatch instead of wrapping around.
static uint64_t mul_sat(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a)
    return UINT64_MAX;
  return a * b;
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// What a reader found wrong: the exit code and the one-line message that the
// program dies with. Readers return instead of exiting so that tests and
// fuzzers can call them (tests/fuzz).
typedef struct {
  int code;
  char msg[512];
} ReadError;

// Fills *e and evaluates to -1 (a macro for the same reason as die).
#define read_fail(e, code_, ...)                                               \
  (snprintf((e)->msg, sizeof(e)->msg, __VA_ARGS__), (e)->code = (code_), -1)

static int check_config(Config *c, const char *path, ReadError *e) {
  const char *names[] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                         "n_kv_heads", "vocab_size", "seq_len"};
  int vals[] = {c->dim,        c->hidden_dim, c->n_layers, c->n_heads,
                c->n_kv_heads, c->vocab_size, c->seq_len};
  for (int i = 0; i < 7; i++)
    if (vals[i] <= 0)
      return read_fail(e, EXIT_CKPT_BAD,
                       "%s: header field %s is %d, must be positive", path,
                       names[i], vals[i]);
  if (c->dim % c->n_heads != 0)
    return read_fail(e, EXIT_CKPT_BAD,
                     "%s: dim %d is not divisible by n_heads %d", path, c->dim,
                     c->n_heads);
  if (c->n_heads % c->n_kv_heads != 0)
    return read_fail(e, EXIT_CKPT_BAD,
                     "%s: n_heads %d is not divisible by n_kv_heads %d", path,
                     c->n_heads, c->n_kv_heads);
  c->head_size = c->dim / c->n_heads;
  if (c->head_size % 2 != 0)
    return read_fail(e, EXIT_CKPT_BAD,
                     "%s: head size %d is odd, RoPE needs pairs", path,
                     c->head_size);
  if (c->vocab_size < 3)
    return read_fail(e, EXIT_CKPT_BAD, "%s: vocab_size %d is too small", path,
                     c->vocab_size);
  c->kv_dim = c->head_size * c->n_kv_heads;
  return 0;
}

// Number of floats after the header, in llama2.c's order.
static uint64_t checkpoint_floats(const Config *c) {
  uint64_t dim = (uint64_t)c->dim, layers = (uint64_t)c->n_layers;
  uint64_t n = mul_sat(c->vocab_size, dim);                         // embedding
  n = add_sat(n, mul_sat(layers, dim));                             // rms_att
  n = add_sat(n, mul_sat(layers, mul_sat(dim, dim)));               // wq
  n = add_sat(n, mul_sat(2 * layers, mul_sat(dim, c->kv_dim)));     // wk, wv
  n = add_sat(n, mul_sat(layers, mul_sat(dim, dim)));               // wo
  n = add_sat(n, mul_sat(layers, dim));                             // rms_ffn
  n = add_sat(n, mul_sat(3 * layers, mul_sat(dim, c->hidden_dim))); // w1-3
  n = add_sat(n, dim);                                              // rms_final
  // Unused legacy RoPE tables (freq_cis_real and freq_cis_imag).
  n = add_sat(n, 2 * (mul_sat(c->seq_len, c->head_size) / 2));
  if (!c->shared_classifier)
    n = add_sat(n, mul_sat(c->vocab_size, dim));
  return n;
}

static void map_weights(Weights *w, const Config *c, const float *p) {
  size_t dim = (size_t)c->dim, layers = (size_t)c->n_layers;
  size_t hidden = (size_t)c->hidden_dim, kv_dim = (size_t)c->kv_dim;
  w->token_embedding = p;
  p += (size_t)c->vocab_size * dim;
  w->rms_att = p;
  p += layers * dim;
  w->wq = p;
  p += layers * dim * dim;
  w->wk = p;
  p += layers * dim * kv_dim;
  w->wv = p;
  p += layers * dim * kv_dim;
  w->wo = p;
  p += layers * dim * dim;
  w->rms_ffn = p;
  p += layers * dim;
  w->w1 = p;
  p += layers * dim * hidden;
  w->w2 = p;
  p += layers * dim * hidden;
  w->w3 = p;
  p += layers * dim * hidden;
  w->rms_final = p;
  p += dim;
  p += 2 * ((size_t)c->seq_len * (size_t)c->head_size / 2);
  w->wcls = c->shared_classifier ? w->token_embedding : p;
}

// A read-only file mapping, as llama2.c's run.c maps its checkpoint: the
// weights are used in place, never copied.
typedef struct {
  const unsigned char *bytes; // NULL when the file is empty
  size_t size;
} Mapping;

// Maps `path`; on failure exits with `code` and "cannot open/read WHAT PATH".
static Mapping map_file(const char *path, const char *what, int code) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    die(code, "cannot open %s %s", what, path);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    die(code, "cannot read %s %s", what, path);
  Mapping m = {NULL, (size_t)st.st_size};
  if (m.size > 0) {
    void *p = mmap(NULL, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
      die(code, "cannot read %s %s", what, path);
    m.bytes = p;
  }
  close(fd);
  return m;
}

static void unmap_file(Mapping m) {
  if (m.bytes)
    munmap((void *)m.bytes, m.size);
}

// Parses a checkpoint held in memory (4-byte aligned, as a mapping is):
// Weights point into `bytes`. Returns -1 with *e saying why.
static int read_checkpoint(const unsigned char *bytes, size_t size,
                           const char *path, Config *c, Weights *w,
                           ReadError *e) {
  int32_t h[7];
  if (size < sizeof h)
    return read_fail(e, EXIT_CKPT_BAD, "%s: truncated header (need 28 bytes)",
                     path);
  memcpy(h, bytes, sizeof h);
  c->dim = h[0];
  c->hidden_dim = h[1];
  c->n_layers = h[2];
  c->n_heads = h[3];
  c->n_kv_heads = h[4];
  c->shared_classifier = h[5] > 0;
  c->vocab_size = h[5] == INT32_MIN ? 0 : (h[5] < 0 ? -h[5] : h[5]);
  c->seq_len = h[6];
  if (check_config(c, path, e))
    return -1;
  uint64_t want = add_sat(mul_sat(checkpoint_floats(c), sizeof(float)), 28);
  if ((uint64_t)size != want)
    return read_fail(e, EXIT_CKPT_BAD,
                     "%s: file has %zu bytes but its header implies %llu", path,
                     size, (unsigned long long)want);
  map_weights(w, c, (const float *)(bytes + 28));
  return 0;
}

// Maps the checkpoint and points Weights into it; returns the mapping.
static Mapping load_checkpoint(const char *path, Config *c, Weights *w) {
  Mapping m = map_file(path, "checkpoint", EXIT_CKPT_IO);
  ReadError e;
  if (read_checkpoint(m.bytes, m.size, path, c, w, &e))
    die(e.code, "%s", e.msg);
  return m;
}

// ---------------------------------------------------------------------------
// Forward pass

typedef struct {
  float *x, *xb, *xb2; // activations (dim)
  float *hb, *hb2;     // FFN activations (hidden_dim)
  float *q;            // query (dim)
  float *att;          // attention scores (n_heads, seq_len)
  float *logits;       // (vocab)
  float *key_cache;    // (layers, seq_len, kv_dim)
  float *value_cache;  // (layers, seq_len, kv_dim)
} RunState;

static void alloc_state(RunState *s, const Config *c) {
  size_t cache = (size_t)c->n_layers * (size_t)c->seq_len;
  s->x = xalloc(c->dim, sizeof(float));
  s->xb = xalloc(c->dim, sizeof(float));
  s->xb2 = xalloc(c->dim, sizeof(float));
  s->hb = xalloc(c->hidden_dim, sizeof(float));
  s->hb2 = xalloc(c->hidden_dim, sizeof(float));
  s->q = xalloc(c->dim, sizeof(float));
  s->att = xalloc((size_t)c->n_heads * (size_t)c->seq_len, sizeof(float));
  s->logits = xalloc(c->vocab_size, sizeof(float));
  if (cache > SIZE_MAX / (size_t)c->kv_dim)
    die(EXIT_NO_MEMORY, "out of memory (KV cache size overflow)");
  s->key_cache = xalloc(cache * (size_t)c->kv_dim, sizeof(float));
  s->value_cache = xalloc(cache * (size_t)c->kv_dim, sizeof(float));
}

static void free_state(RunState *s) {
  free(s->x);
  free(s->xb);
  free(s->xb2);
  free(s->hb);
  free(s->hb2);
  free(s->q);
  free(s->att);
  free(s->logits);
  free(s->key_cache);
  free(s->value_cache);
}

static void rmsnorm(float *out, const float *x, const float *weight, int n) {
  float ss = 0.0f;
  for (int i = 0; i < n; i++)
    ss += x[i] * x[i];
  ss /= n;
  ss += 1e-5f;
  ss = 1.0f / sqrtf(ss);
  for (int i = 0; i < n; i++)
    out[i] = weight[i] * (ss * x[i]);
}

static void softmax(float *x, int n) {
  float max = x[0];
  for (int i = 1; i < n; i++)
    if (x[i] > max)
      max = x[i];
  float sum = 0.0f;
  for (int i = 0; i < n; i++) {
    x[i] = expf(x[i] - max);
    sum += x[i];
  }
  for (int i = 0; i < n; i++)
    x[i] /= sum;
}

// out(d) = W(d, n) * x(n), each row summed sequentially.
static void matmul(float *out, const float *x, const float *w, int n, int d) {
  for (int i = 0; i < d; i++) {
    const float *row = w + (size_t)i * (size_t)n;
    float sum = 0.0f;
    for (int j = 0; j < n; j++)
      sum += row[j] * x[j];
    out[i] = sum;
  }
}

// Rotates (q, k) pairs by position; k only covers the first kv_dim entries.
static void rope(float *q, float *k, int pos, const Config *c) {
  for (int i = 0; i < c->dim; i += 2) {
    int head_dim = i % c->head_size;
    float freq = 1.0f / powf(10000.0f, head_dim / (float)c->head_size);
    float angle = pos * freq;
    float fcr = cosf(angle);
    float fci = sinf(angle);
    int nvec = i < c->kv_dim ? 2 : 1;
    for (int v = 0; v < nvec; v++) {
      float *vec = v == 0 ? q : k;
      float v0 = vec[i];
      float v1 = vec[i + 1];
      vec[i] = v0 * fcr - v1 * fci;
      vec[i + 1] = v0 * fci + v1 * fcr;
    }
  }
}

// Grouped-query attention of every head over positions 0..pos of one layer.
static void attention(RunState *s, const Config *c, size_t layer_off, int pos) {
  int kv_mul = c->n_heads / c->n_kv_heads;
  int hs = c->head_size;
  float scale = sqrtf(hs);
  for (int h = 0; h < c->n_heads; h++) {
    const float *q = s->q + (size_t)h * hs;
    float *att = s->att + (size_t)h * (size_t)c->seq_len;
    size_t head_off = layer_off + (size_t)(h / kv_mul) * hs;
    for (int t = 0; t <= pos; t++) {
      const float *k = s->key_cache + head_off + (size_t)t * c->kv_dim;
      float score = 0.0f;
      for (int i = 0; i < hs; i++)
        score += q[i] * k[i];
      att[t] = score / scale;
    }
    softmax(att, pos + 1);
    float *out = s->xb + (size_t)h * hs;
    memset(out, 0, (size_t)hs * sizeof(float));
    for (int t = 0; t <= pos; t++) {
      const float *v = s->value_cache + head_off + (size_t)t * c->kv_dim;
      float a = att[t];
      for (int i = 0; i < hs; i++)
        out[i] += a * v[i];
    }
  }
}

static void swiglu(float *hb, const float *hb2, int n) {
  for (int i = 0; i < n; i++) {
    float v = hb[i];
    v *= 1.0f / (1.0f + expf(-v));
    v *= hb2[i];
    hb[i] = v;
  }
}

static void residual_add(float *x, const float *y, int n) {
  for (int i = 0; i < n; i++)
    x[i] += y[i];
}

// Runs one token at one position; returns the logits.
static float *forward(RunState *s, const Config *c, const Weights *w, int token,
                      int pos) {
  size_t dim = (size_t)c->dim, kv_dim = (size_t)c->kv_dim;
  size_t hidden = (size_t)c->hidden_dim;
  memcpy(s->x, w->token_embedding + (size_t)token * dim, dim * sizeof(float));
  for (size_t l = 0; l < (size_t)c->n_layers; l++) {
    size_t layer_off = l * (size_t)c->seq_len * kv_dim;
    float *k = s->key_cache + layer_off + (size_t)pos * kv_dim;
    float *v = s->value_cache + layer_off + (size_t)pos * kv_dim;

    rmsnorm(s->xb, s->x, w->rms_att + l * dim, c->dim);
    matmul(s->q, s->xb, w->wq + l * dim * dim, c->dim, c->dim);
    matmul(k, s->xb, w->wk + l * dim * kv_dim, c->dim, c->kv_dim);
    matmul(v, s->xb, w->wv + l * dim * kv_dim, c->dim, c->kv_dim);
    rope(s->q, k, pos, c);
    attention(s, c, layer_off, pos);
    matmul(s->xb2, s->xb, w->wo + l * dim * dim, c->dim, c->dim);
    residual_add(s->x, s->xb2, c->dim);

    rmsnorm(s->xb, s->x, w->rms_ffn + l * dim, c->dim);
    matmul(s->hb, s->xb, w->w1 + l * dim * hidden, c->dim, c->hidden_dim);
    matmul(s->hb2, s->xb, w->w3 + l * dim * hidden, c->dim, c->hidden_dim);
    swiglu(s->hb, s->hb2, c->hidden_dim);
    matmul(s->xb, s->hb, w->w2 + l * dim * hidden, c->hidden_dim, c->dim);
    residual_add(s->x, s->xb, c->dim);
  }
  rmsnorm(s->x, s->x, w->rms_final, c->dim);
  matmul(s->logits, s->x, w->wcls, c->dim, c->vocab_size);
  return s->logits;
}

// ---------------------------------------------------------------------------
// Tokenizer

typedef struct {
  int vocab_size;
  char **pieces; // into text
  char *text;
  float *scores;
  int *sorted; // token ids ordered by piece, for binary search
  size_t max_piece_len;
} Tokenizer;

static const Tokenizer *sort_ctx; // qsort has no user argument in C11

static int compare_pieces(const void *a, const void *b) {
  return strcmp(sort_ctx->pieces[*(const int *)a],
                sort_ctx->pieces[*(const int *)b]);
}

static void free_tokenizer(Tokenizer *t) {
  free(t->text);
  free(t->pieces);
  free(t->scores);
  free(t->sorted);
}

// Reads a little-endian int32 field at `p`.
static int32_t read_i32(const unsigned char *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

// Parses a tokenizer file held in memory: vocab_size tokens (score, length,
// bytes each), copied NUL terminated into one block (t->text) that
// t->pieces points into. Returns -1 with *e saying why (nothing allocated).
static int read_tokenizer(const unsigned char *bytes, size_t size,
                          const char *path, int vocab_size, Tokenizer *t,
                          ReadError *e) {
  if (size < 4)
    return read_fail(e, EXIT_TOKENIZER, "%s: truncated tokenizer header", path);
  if (vocab_size <= 0)
    return read_fail(e, EXIT_TOKENIZER, "%s: vocab_size %d must be positive",
                     path, vocab_size);
  // Every token takes at least 8 bytes: a short file cannot make us
  // allocate for the whole vocabulary first.
  size_t fit = (size - 4) / 8;
  int tokens = fit < (size_t)vocab_size ? (int)fit : vocab_size;
  t->vocab_size = 0;
  t->pieces = xalloc(tokens, sizeof(char *));
  t->scores = xalloc(tokens, sizeof(float));
  t->sorted = xalloc(tokens, sizeof(int));
  // Every piece's bytes plus its NUL fit in the file's size: each entry has
  // 8 bytes of header that its NUL replaces.
  t->text = xalloc(size, 1);
  t->max_piece_len = 0;
  size_t at = 4, out = 0;
  for (int i = 0; i < vocab_size; i++) {
    if (i == tokens || size - at < 8) {
      free_tokenizer(t);
      return read_fail(
          e, EXIT_TOKENIZER,
          "%s: has %d tokens but the checkpoint's vocab_size is %d", path, i,
          vocab_size);
    }
    memcpy(&t->scores[i], bytes + at, sizeof(float));
    int32_t len = read_i32(bytes + at + 4);
    at += 8;
    if (len < 0 || len > (1 << 20)) {
      free_tokenizer(t);
      return read_fail(e, EXIT_TOKENIZER, "%s: token %d has invalid length %d",
                       path, i, len);
    }
    if (size - at < (size_t)len) {
      free_tokenizer(t);
      return read_fail(e, EXIT_TOKENIZER, "%s: truncated at token %d", path, i);
    }
    t->pieces[i] = t->text + out;
    memcpy(t->pieces[i], bytes + at, (size_t)len);
    t->pieces[i][len] = '\0';
    at += (size_t)len;
    out += (size_t)len + 1;
    t->vocab_size = i + 1;
    if ((size_t)len > t->max_piece_len)
      t->max_piece_len = (size_t)len;
    t->sorted[i] = i;
  }
  if (at != size) {
    free_tokenizer(t);
    return read_fail(e, EXIT_TOKENIZER,
                     "%s: has more tokens than the checkpoint's vocab_size %d",
                     path, vocab_size);
  }
  sort_ctx = t;
  qsort(t->sorted, (size_t)vocab_size, sizeof(int), compare_pieces);
  return 0;
}

// Maps the tokenizer file once and parses it (no read call per entry).
static void load_tokenizer(Tokenizer *t, const char *path, int vocab_size) {
  Mapping m = map_file(path, "tokenizer", EXIT_TOKENIZER);
  ReadError e;
  int rc = read_tokenizer(m.bytes, m.size, path, vocab_size, t, &e);
  unmap_file(m);
  if (rc)
    die(e.code, "%s", e.msg);
}

// Returns the id whose piece equals str, or -1.
static int lookup(const Tokenizer *t, const char *str) {
  int lo = 0, hi = t->vocab_size - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    int id = t->sorted[mid];
    int cmp = strcmp(str, t->pieces[id]);
    if (cmp == 0)
      return id;
    if (cmp < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return -1;
}

// Appends the token for str, or its bytes as <0xXX> tokens (id = byte + 3).
static void push_piece(const Tokenizer *t, const char *str, int *tokens,
                       int *n) {
  int id = lookup(t, str);
  if (id >= 0) {
    tokens[(*n)++] = id;
    return;
  }
  for (const unsigned char *b = (const unsigned char *)str; *b; b++) {
    if (*b + 3 >= t->vocab_size)
      die(EXIT_PROMPT, "prompt byte 0x%02X has no token", *b);
    tokens[(*n)++] = *b + 3;
  }
}

// BPE: BOS, a leading space token for non-empty text, one token per UTF-8
// character (bytes as fallback), then repeatedly merge the adjacent pair whose
// concatenation is the highest-scoring piece (leftmost wins ties).
static int *encode(const Tokenizer *t, const char *text, int *n_tokens) {
  size_t len = strlen(text);
  int *tokens = xalloc(len + 3, sizeof(int));
  char *buf = xalloc(2 * t->max_piece_len + 5, 1);
  int n = 0;
  tokens[n++] = TOKEN_BOS;
  if (text[0] != '\0')
    push_piece(t, " ", tokens, &n);
  size_t blen = 0;
  for (const char *c = text; *c; c++) {
    if ((*c & 0xC0) != 0x80) // not a continuation byte: a new character
      blen = 0;
    buf[blen++] = *c;
    buf[blen] = '\0';
    if ((c[1] & 0xC0) == 0x80 && blen < 4)
      continue;
    push_piece(t, buf, tokens, &n);
    blen = 0;
  }
  for (;;) {
    float best_score = -1e10f;
    int best_id = -1, best_idx = -1;
    for (int i = 0; i + 1 < n; i++) {
      snprintf(buf, 2 * t->max_piece_len + 5, "%s%s", t->pieces[tokens[i]],
               t->pieces[tokens[i + 1]]);
      int id = lookup(t, buf);
      if (id != -1 && t->scores[id] > best_score) {
        best_score = t->scores[id];
        best_id = id;
        best_idx = i;
      }
    }
    if (best_idx == -1)
      break;
    tokens[best_idx] = best_id;
    memmove(&tokens[best_idx + 1], &tokens[best_idx + 2],
            (size_t)(n - best_idx - 2) * sizeof(int));
    n--;
  }
  free(buf);
  *n_tokens = n;
  return tokens;
}

static int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  return -1;
}

// Writes the text of token after prev: no leading space right after BOS,
// <0xXX> pieces as their raw byte, and lone unprintable bytes skipped.
static void print_piece(const Tokenizer *t, int prev, int token) {
  const char *piece = t->pieces[token];
  if (prev == TOKEN_BOS && piece[0] == ' ')
    piece++;
  char byte[2] = {0, 0};
  if (strncmp(piece, "<0x", 3) == 0 && hex_digit(piece[3]) >= 0 &&
      hex_digit(piece[4]) >= 0 && piece[5] == '>') {
    byte[0] = (char)(hex_digit(piece[3]) * 16 + hex_digit(piece[4]));
    piece = byte;
  }
  if (piece[0] == '\0')
    return;
  if (piece[1] == '\0') {
    unsigned char b = (unsigned char)piece[0];
    int printable = b >= 0x20 && b < 0x7F;
    int space = b == ' ' || (b >= '\t' && b <= '\r');
    if (!printable && !space)
      return;
  }
  fputs(piece, stdout);
}

// ---------------------------------------------------------------------------
// Sampling

typedef struct {
  float prob;
  int index;
} ProbIndex;

typedef struct {
  int vocab_size;
  float temperature, topp;
  uint64_t rng;
  ProbIndex *cand, *tmp; // top-p candidates and merge-sort scratch
} Sampler;

// xorshift64*: the top 24 bits of the output give a float in [0, 1).
static float random_f32(uint64_t *state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  uint32_t r = (uint32_t)((*state * 0x2545F4914F6CDD1DULL) >> 32);
  return (r >> 8) / 16777216.0f;
}

static int sample_argmax(const float *p, int n) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (p[i] > p[best])
      best = i;
  return best;
}

static int sample_mult(const float *p, int n, float coin) {
  float cdf = 0.0f;
  for (int i = 0; i < n; i++) {
    cdf += p[i];
    if (coin < cdf)
      return i;
  }
  return n - 1;
}

// Stable merge sort by descending probability (equal ones keep index order).
static void sort_desc(ProbIndex *a, ProbIndex *tmp, int n) {
  if (n < 2)
    return;
  int mid = n / 2;
  sort_desc(a, tmp, mid);
  sort_desc(a + mid, tmp, n - mid);
  int i = 0, j = mid, k = 0;
  while (i < mid && j < n)
    tmp[k++] = a[j].prob > a[i].prob ? a[j++] : a[i++];
  while (i < mid)
    tmp[k++] = a[i++];
  while (j < n)
    tmp[k++] = a[j++];
  memcpy(a, tmp, (size_t)n * sizeof(ProbIndex));
}

// Nucleus sampling: smallest prefix of the sorted candidates whose mass
// exceeds topp, then a draw within that mass.
static int sample_topp(Sampler *s, const float *p, float coin) {
  int n = s->vocab_size, n0 = 0;
  const float cutoff = (1.0f - s->topp) / (n - 1);
  for (int i = 0; i < n; i++)
    if (p[i] >= cutoff)
      s->cand[n0++] = (ProbIndex){p[i], i};
  if (n0 == 0) // only possible with NaN logits
    return sample_argmax(p, n);
  sort_desc(s->cand, s->tmp, n0);
  float cum = 0.0f;
  int last = n0 - 1;
  for (int i = 0; i < n0; i++) {
    cum += s->cand[i].prob;
    if (cum > s->topp) {
      last = i;
      break;
    }
  }
  float r = coin * cum;
  float cdf = 0.0f;
  for (int i = 0; i <= last; i++) {
    cdf += s->cand[i].prob;
    if (r < cdf)
      return s->cand[i].index;
  }
  return s->cand[last].index;
}

static int sample(Sampler *s, float *logits) {
  if (s->temperature == 0.0f)
    return sample_argmax(logits, s->vocab_size);
  for (int i = 0; i < s->vocab_size; i++)
    logits[i] /= s->temperature;
  softmax(logits, s->vocab_size);
  float coin = random_f32(&s->rng);
  if (s->topp <= 0.0f || s->topp >= 1.0f)
    return sample_mult(logits, s->vocab_size, coin);
  return sample_topp(s, logits, coin);
}

// ---------------------------------------------------------------------------
// Driver

typedef struct {
  const char *checkpoint, *tokenizer, *prompt;
  float temperature, topp;
  unsigned long long seed;
  int steps;
  int print_ids;
} Options;

static const char usage[] =
    "usage: tinyllama CHECKPOINT [-t temp] [-p topp] [-s seed] [-n steps] "
    "[-i prompt] [-z tokenizer] [-v]";

static float parse_float(const char *flag, const char *s) {
  char *end;
  float v = strtof(s, &end);
  if (end == s || *end != '\0' || !(v >= -FLT_MAX && v <= FLT_MAX))
    die(EXIT_USAGE, "%s expects a number, got '%s'", flag, s);
  return v;
}

static long long parse_int(const char *flag, const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end != '\0')
    die(EXIT_USAGE, "%s expects an integer, got '%s'", flag, s);
  return v;
}

static void parse_args(Options *o, int argc, char **argv) {
  *o = (Options){NULL, "tokenizer.bin", "", 1.0f, 0.9f, 0, 256, 0};
  if (argc < 2 || argv[1][0] == '-')
    die(EXIT_USAGE, "%s", usage);
  o->checkpoint = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *flag = argv[i];
    if (flag[0] != '-' || flag[1] == '\0' || flag[2] != '\0')
      die(EXIT_USAGE, "unexpected argument '%s'; %s", flag, usage);
    if (flag[1] == 'v') {
      o->print_ids = 1;
      continue;
    }
    if (!strchr("tpsniz", flag[1]))
      die(EXIT_USAGE, "unknown flag %s; %s", flag, usage);
    if (i + 1 >= argc)
      die(EXIT_USAGE, "flag %s needs a value", flag);
    const char *val = argv[++i];
    switch (flag[1]) {
    case 't':
      o->temperature = parse_float(flag, val);
      if (o->temperature < 0.0f)
        die(EXIT_USAGE, "-t temperature must be >= 0, got %s", val);
      break;
    case 'p':
      o->topp = parse_float(flag, val);
      if (o->topp < 0.0f || o->topp > 1.0f)
        die(EXIT_USAGE, "-p top-p must be in [0, 1], got %s", val);
      break;
    case 's': {
      long long seed = parse_int(flag, val);
      if (seed < 0)
        die(EXIT_USAGE, "-s seed must be >= 0, got %s", val);
      o->seed = (unsigned long long)seed;
      break;
    }
    case 'n': {
      long long steps = parse_int(flag, val);
      if (steps <= 0 || steps > INT32_MAX)
        die(EXIT_USAGE, "-n steps must be in [1, %d], got %s", INT32_MAX, val);
      o->steps = (int)steps;
      break;
    }
    case 'i':
      o->prompt = val;
      break;
    case 'z':
      o->tokenizer = val;
      break;
    }
  }
}

static double now_seconds(void) {
  struct timespec ts;
  if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
    return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Forces the prompt tokens, then samples until steps positions ran or the
// model produced BOS.
static void generate(const Config *c, const Weights *w, const Tokenizer *t,
                     Sampler *sampler, const Options *o) {
  int n_prompt;
  // Each token after BOS covers at most max_piece_len bytes (the leading
  // space included): reject hopeless prompts before the quadratic BPE.
  size_t bytes = strlen(o->prompt) + 1;
  if (bytes / (t->max_piece_len ? t->max_piece_len : 1) >= (size_t)c->seq_len)
    die(EXIT_PROMPT, "prompt of %zu bytes cannot fit in seq_len %d tokens",
        bytes - 1, c->seq_len);
  int *prompt = encode(t, o->prompt, &n_prompt);
  if (n_prompt > c->seq_len)
    die(EXIT_PROMPT, "prompt is %d tokens, longer than seq_len %d", n_prompt,
        c->seq_len);
  int steps = o->steps > c->seq_len ? c->seq_len : o->steps;
  RunState s;
  alloc_state(&s, c);
  double start = 0.0;
  int token = prompt[0], pos = 0;
  while (pos < steps) {
    float *logits = forward(&s, c, w, token, pos);
    int next = pos + 1 < n_prompt ? prompt[pos + 1] : sample(sampler, logits);
    pos++;
    if (o->print_ids)
      fprintf(stderr, "%d\n", next);
    if (next == TOKEN_BOS)
      break;
    print_piece(t, token, next);
    fflush(stdout);
    token = next;
    if (start == 0.0)
      start = now_seconds();
  }
  printf("\n");
  if (pos > 1) {
    double elapsed = now_seconds() - start;
    if (elapsed > 0.0)
      fprintf(stderr, "achieved tok/s: %f\n", (pos - 1) / elapsed);
  }
  free_state(&s);
  free(prompt);
}

// The fuzzers include this file for its readers and bring their own main.
#ifndef TINYLLAMA_NO_MAIN
int main(int argc, char **argv) {
  Options o;
  parse_args(&o, argc, argv);
  Config c;
  Weights w;
  Mapping checkpoint = load_checkpoint(o.checkpoint, &c, &w);
  Tokenizer t;
  load_tokenizer(&t, o.tokenizer, c.vocab_size);

  Sampler sampler = {c.vocab_size, o.temperature, o.topp, o.seed, NULL, NULL};
  if (sampler.rng == 0) // zero is a fixed point of xorshift: seed from time
    sampler.rng = (uint64_t)time(NULL);
  sampler.cand = xalloc(c.vocab_size, sizeof(ProbIndex));
  sampler.tmp = xalloc(c.vocab_size, sizeof(ProbIndex));

  generate(&c, &w, &t, &sampler, &o);

  free(sampler.cand);
  free(sampler.tmp);
  free_tokenizer(&t);
  unmap_file(checkpoint);
  return 0;
}
#endif
