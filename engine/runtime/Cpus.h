// Where the engine's threads run: the app's thread and the compile thread
// keep to different CPUs while a compile runs (policy/CompileQueue.cpp says
// why), and what the app starts gets all the process's CPUs.
#pragma once

#include <cstdio>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <sys/types.h>

namespace gts {

// The CPUs the process may run on, as when this was first called.
const cpu_set_t &processCpus();

// Pins the calling thread to the CPU it runs on and returns the process's
// other CPUs, for a thread that works beside it. None (nothing changed)
// with one CPU, or where the CPU is unknown (our kernel).
std::optional<cpu_set_t> pinHereLeaveRest();

// Gives thread Tid (0: the calling thread) all the process's CPUs again.
void unpin(pid_t Tid);

// The app's pthread_create, system and popen: what they start inherits the
// calling thread's CPUs, which a compile may have pinned to one.
int appPthreadCreate(pthread_t *Thread, const pthread_attr_t *Attr,
                     void *(*Start)(void *), void *Arg);
int appSystem(const char *Command);
FILE *appPopen(const char *Command, const char *Mode);

} // namespace gts
