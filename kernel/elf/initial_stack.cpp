#include "elf/initial_stack.h"

namespace gts::elf {
namespace {

size_t length(const char *s) {
  size_t n = 0;
  while (s[n])
    ++n;
  return n;
}

} // namespace

uint64_t buildInitialStack(uint8_t *mem, size_t size, uint64_t top,
                           const StackParams &p) {
  const uint64_t base = top - size;
  uint64_t cur = top;
  bool ok = true;
  // Copies `n` bytes below `cur`; returns their user address.
  auto push = [&](const void *data, size_t n) -> uint64_t {
    if (!ok || cur - base < n) {
      ok = false;
      return 0;
    }
    cur -= n;
    __builtin_memcpy(mem + (cur - base), data, n);
    return cur;
  };
  auto pushString = [&](const char *s) { return push(s, length(s) + 1); };

  uint64_t random = push(p.random, 16);
  uint64_t platform = pushString("x86_64");
  uint64_t execfn = pushString(p.execfn);
  // Strings in reverse so that argv[0], argv[1], ... ascend in memory.
  for (int i = p.envc - 1; i >= 0; --i)
    pushString(p.envp[i]);
  uint64_t envStart = cur;
  for (int i = p.argc - 1; i >= 0; --i)
    pushString(p.argv[i]);
  uint64_t argStart = cur;

  const uint64_t aux[][2] = {
      {at::Phdr, p.phdr},   {at::Phent, p.phent}, {at::Phnum, p.phnum},
      {at::Pagesz, 4096},   {at::Base, 0},        {at::Flags, 0},
      {at::Entry, p.entry}, {at::Uid, 0},         {at::Euid, 0},
      {at::Gid, 0},         {at::Egid, 0},        {at::Platform, platform},
      {at::Hwcap, p.hwcap}, {at::Clktck, 100},    {at::Secure, 0},
      {at::Random, random}, {at::Hwcap2, 0},      {at::Execfn, execfn},
      {at::Null, 0}};
  constexpr size_t auxWords = 2 * sizeof aux / sizeof aux[0];
  uint64_t words =
      1 + (uint64_t(p.argc) + 1) + (uint64_t(p.envc) + 1) + auxWords;
  cur &= ~uint64_t(15);
  if (!ok || (cur - base) / 8 < words + 1)
    return 0;
  uint64_t rsp = (cur - words * 8) & ~uint64_t(15);

  uint64_t *out = reinterpret_cast<uint64_t *>(mem + (rsp - base));
  size_t k = 0;
  out[k++] = uint64_t(p.argc);
  for (int i = 0; i < p.argc; ++i) {
    out[k++] = argStart;
    argStart += length(p.argv[i]) + 1;
  }
  out[k++] = 0;
  for (int i = 0; i < p.envc; ++i) {
    out[k++] = envStart;
    envStart += length(p.envp[i]) + 1;
  }
  out[k++] = 0;
  for (const auto &pair : aux) {
    out[k++] = pair[0];
    out[k++] = pair[1];
  }
  return rsp;
}

} // namespace gts::elf
