// C interface of the host symbol table (see HostSymbols.h).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

struct GtsHostSymbol {
  const char *name;
  void *address;
};
extern const struct GtsHostSymbol gtsHostSymbolTable[];
extern const unsigned gtsHostSymbolCount;

#ifdef __cplusplus
}
#endif
