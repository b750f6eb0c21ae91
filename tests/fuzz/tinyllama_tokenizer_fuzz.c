// libFuzzer target: TinyLlama's tokenizer reader on arbitrary file bytes.
// Input: the checkpoint's vocab_size (int32, little endian), then the
// tokenizer file. An accepted tokenizer must encode text and print tokens.
#define TINYLLAMA_NO_MAIN
#include "tinyllama.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size <= 4)
    return 0;
  int32_t vocab_size;
  memcpy(&vocab_size, data, 4);
  Tokenizer t;
  ReadError e;
  int rc = read_tokenizer(data + 4, size - 4, "fuzz.bin", vocab_size, &t, &e);
  if (rc) {
    if (e.code != EXIT_TOKENIZER || e.msg[0] == '\0' || strchr(e.msg, '\n'))
      abort();
    return 0;
  }
  for (int i = 0; i < t.vocab_size; i++)
    if (lookup(&t, t.pieces[i]) < 0)
      abort(); // every piece can be found again
  // With a token for every byte, any text encodes (else encode exits).
  if (t.vocab_size > 258) {
    int n;
    int *ids =
        encode(&t, "Once upon a time, \xC3\x89mile saw \xF0\x9F\x90\x88.", &n);
    for (int i = 0; i < n; i++)
      if (ids[i] < 0 || ids[i] >= t.vocab_size)
        abort();
    free(ids);
  }
  free_tokenizer(&t);
  return 0;
}
