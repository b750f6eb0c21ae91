// /CMDLINE.TXT (format: docs/IMAGE.md): the first line is the program's
// path, each further line one argument, except `ENV NAME=VALUE` lines,
// which add an environment variable. CR before LF is ignored; a final
// empty line is not an argument. Pure: builds on the host for tests.
#pragma once
#include <stddef.h>

namespace gts::init {

inline constexpr int MaxArgs = 64, MaxEnv = 64;

struct Cmdline {
  int argc = 0; // argv[0] is the program path
  char *argv[MaxArgs + 1];
  int envc = 0;
  char *envp[MaxEnv + 1];
};

// Splits `text` in place (it is modified, and must be NUL-terminated).
// Returns null or a one-line error.
const char *parseCmdline(char *text, Cmdline *out);

} // namespace gts::init
