// libFuzzer target: TinyLlama's checkpoint reader on arbitrary file bytes.
// A checkpoint the reader accepts must be one the forward pass can run on:
// one step at the first and the last position, when its state is small.
#define TINYLLAMA_NO_MAIN
#include "tinyllama.c"

// Floats of the run state (alloc_state), saturating.
static uint64_t state_floats(const Config *c) {
  uint64_t cache = mul_sat(mul_sat(c->n_layers, c->seq_len), c->kv_dim);
  uint64_t n = add_sat(mul_sat(4, c->dim), mul_sat(2, c->hidden_dim));
  n = add_sat(n, mul_sat(c->n_heads, c->seq_len));
  return add_sat(add_sat(n, c->vocab_size), mul_sat(2, cache));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Config c;
  Weights w;
  ReadError e;
  // libFuzzer's buffer is malloc'ed: aligned for the floats, as a mapping.
  int rc = read_checkpoint(data, size, "fuzz.bin", &c, &w, &e);
  if (rc) {
    if (e.code != EXIT_CKPT_BAD && e.code != EXIT_CKPT_IO)
      abort();
    if (e.msg[0] == '\0' || strchr(e.msg, '\n'))
      abort(); // one line naming the problem
    return 0;
  }
  if (state_floats(&c) < (1u << 20)) {
    RunState s;
    alloc_state(&s, &c);
    forward(&s, &c, &w, 0, 0);
    forward(&s, &c, &w, c.vocab_size - 1, c.seq_len - 1);
    free_state(&s);
  }
  return 0;
}
