#include "Cpus.h"

#include <cstdlib>

namespace gts {

const cpu_set_t &processCpus() {
  static const cpu_set_t All = [] {
    cpu_set_t S;
    if (sched_getaffinity(0, sizeof S, &S) != 0) {
      CPU_ZERO(&S); // unknown: as if one CPU
      CPU_SET(0, &S);
    }
    return S;
  }();
  return All;
}

std::optional<cpu_set_t> pinHereLeaveRest() {
  // With one CPU nothing is asked of the system: our kernel has neither
  // getcpu nor sched_setaffinity.
  const cpu_set_t &All = processCpus();
  if (CPU_COUNT(&All) < 2)
    return std::nullopt;
  int Here = sched_getcpu();
  if (Here < 0 || !CPU_ISSET(Here, &All))
    return std::nullopt;
  cpu_set_t Me;
  CPU_ZERO(&Me);
  CPU_SET(Here, &Me);
  if (sched_setaffinity(0, sizeof Me, &Me) != 0)
    return std::nullopt;
  cpu_set_t Rest = All;
  CPU_CLR(Here, &Rest);
  return Rest;
}

void unpin(pid_t Tid) {
  const cpu_set_t &All = processCpus();
  if (CPU_COUNT(&All) > 1) // nothing was pinned otherwise
    sched_setaffinity(Tid, sizeof All, &All);
}

int appPthreadCreate(pthread_t *Thread, const pthread_attr_t *Attr,
                     void *(*Start)(void *), void *Arg) {
  unpin(0);
  return pthread_create(Thread, Attr, Start, Arg);
}

int appSystem(const char *Command) {
  unpin(0);
  return system(Command);
}

FILE *appPopen(const char *Command, const char *Mode) {
  unpin(0);
  return popen(Command, Mode);
}

} // namespace gts
