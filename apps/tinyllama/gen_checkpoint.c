// gen_checkpoint: writes a llama2.c-format checkpoint of a given shape with
// deterministic pseudo-random weights, for throughput work on shapes whose
// real checkpoints we do not ship. Compute cost does not depend on values.
//
// usage: gen_checkpoint OUT DIM HIDDEN LAYERS HEADS KV_HEADS VOCAB SEQ_LEN SEED
//
// Norm weights are 1; every other weight is uniform in [-0.05, 0.05) so the
// activations stay finite. The classifier is shared with the embedding.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { CHUNK = 1 << 16 };

static uint64_t rng_state;

static float uniform(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  uint32_t r = (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
  return ((r >> 8) / 16777216.0f - 0.5f) * 0.1f;
}

// Writes n floats, all equal to value, or random ones when random is set.
static int write_floats(FILE *f, uint64_t n, int random, float value) {
  static float buf[CHUNK];
  while (n > 0) {
    size_t m = n < CHUNK ? (size_t)n : CHUNK;
    for (size_t i = 0; i < m; i++)
      buf[i] = random ? uniform() : value;
    if (fwrite(buf, sizeof(float), m, f) != m)
      return -1;
    n -= m;
  }
  return 0;
}

static int parse_positive(const char *s, int32_t *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0 || v > INT32_MAX)
    return -1;
  *out = (int32_t)v;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr, "usage: gen_checkpoint OUT DIM HIDDEN LAYERS HEADS "
                    "KV_HEADS VOCAB SEQ_LEN SEED\n");
    return 2;
  }
  int32_t h[8];
  for (int i = 0; i < 8; i++)
    if (parse_positive(argv[i + 2], &h[i]) != 0) {
      fprintf(stderr, "gen_checkpoint: error: '%s' is not a positive integer\n",
              argv[i + 2]);
      return 2;
    }
  int32_t dim = h[0], hidden = h[1], layers = h[2], heads = h[3];
  int32_t kv_heads = h[4], vocab = h[5], seq_len = h[6];
  if (dim % heads != 0 || heads % kv_heads != 0 || (dim / heads) % 2 != 0) {
    fprintf(stderr, "gen_checkpoint: error: need dim %% heads == 0, heads %% "
                    "kv_heads == 0 and an even head size\n");
    return 2;
  }
  rng_state = (uint64_t)h[7];
  uint64_t L = (uint64_t)layers, d = (uint64_t)dim;
  uint64_t kv_dim = d / (uint64_t)heads * (uint64_t)kv_heads;
  uint64_t head_size = d / (uint64_t)heads;

  FILE *f = fopen(argv[1], "wb");
  if (!f) {
    fprintf(stderr, "gen_checkpoint: error: cannot create %s\n", argv[1]);
    return 1;
  }
  int err = fwrite(h, sizeof(int32_t), 7, f) != 7;
  err |= write_floats(f, (uint64_t)vocab * d, 1, 0);           // embedding
  err |= write_floats(f, L * d, 0, 1.0f);                      // rms_att
  err |= write_floats(f, L * d * d, 1, 0);                     // wq
  err |= write_floats(f, 2 * L * d * kv_dim, 1, 0);            // wk, wv
  err |= write_floats(f, L * d * d, 1, 0);                     // wo
  err |= write_floats(f, L * d, 0, 1.0f);                      // rms_ffn
  err |= write_floats(f, 3 * L * d * (uint64_t)hidden, 1, 0);  // w1, w2, w3
  err |= write_floats(f, d, 0, 1.0f);                          // rms_final
  err |= write_floats(f, (uint64_t)seq_len * head_size, 0, 0); // legacy RoPE
  err |= fclose(f) != 0;
  if (err) {
    fprintf(stderr, "gen_checkpoint: error: cannot write %s\n", argv[1]);
    remove(argv[1]);
    return 1;
  }
  return 0;
}
