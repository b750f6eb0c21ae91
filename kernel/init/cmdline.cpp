#include "init/cmdline.h"

namespace gts::init {

const char *parseCmdline(char *text, Cmdline *out) {
  out->argc = out->envc = 0;
  char *line = text;
  while (*line) {
    char *end = line;
    while (*end && *end != '\n')
      ++end;
    bool last = *end == 0;
    *end = 0;
    if (end > line && end[-1] == '\r')
      end[-1] = 0;
    if (out->argc > 0 && line[0] == 'E' && line[1] == 'N' && line[2] == 'V' &&
        line[3] == ' ') {
      char *var = line + 4;
      bool hasEq = false;
      for (char *c = var; *c; ++c)
        hasEq |= *c == '=';
      if (!hasEq || *var == '=')
        return "ENV line without NAME=VALUE";
      if (out->envc == MaxEnv)
        return "too many ENV lines";
      out->envp[out->envc++] = var;
    } else {
      if (out->argc == MaxArgs)
        return "too many arguments";
      out->argv[out->argc++] = line;
    }
    if (last)
      break;
    line = end + 1;
  }
  if (out->argc == 0 || out->argv[0][0] == 0)
    return "no program path on the first line";
  out->argv[out->argc] = nullptr;
  out->envp[out->envc] = nullptr;
  return nullptr;
}

} // namespace gts::init
