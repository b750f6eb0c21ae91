// Explicit native symbol table of gts-interp-run.
#ifndef GTS_TESTS_INTERP_NATIVES_H
#define GTS_TESTS_INTERP_NATIVES_H
#ifdef __cplusplus
extern "C" {
#endif
struct InterpNative {
  const char *Name;
  void *Address;
};
extern const struct InterpNative interpNatives[];
extern const unsigned interpNativeCount;
#ifdef __cplusplus
}
#endif
#endif
