// Threads on one CPU: pthread_create (clone), mutexes and a condition
// variable (futex wait/wake), preemption of a spinning thread by the timer,
// thread-local storage (each thread's FS base), sleeping, pthread_join
// (clear-child-tid futex), nice values per thread (a thread at nice 19 runs
// only while the others wait).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { Threads = 4, Rounds = 5000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static long counter;
static int started;
static atomic_int flag;
static __thread long mine;

static void *worker(void *arg) {
  long id = (long)arg;
  pthread_mutex_lock(&lock);
  ++started;
  pthread_cond_broadcast(&ready);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < Rounds; ++i) {
    pthread_mutex_lock(&lock);
    ++counter;
    pthread_mutex_unlock(&lock);
    mine += id;
  }
  usleep(1000);
  return (void *)(long)(mine == id * Rounds ? 0 : 1);
}

// Spins until the main thread sets the flag: only preemption lets main run.
static void *spinner(void *arg) {
  (void)arg;
  while (!atomic_load(&flag))
    ;
  return NULL;
}

static atomic_long lowCount;
static atomic_int lowNice = 100, lowStop;

// Lowers its own priority, then counts until told to stop.
static void *lowPriority(void *arg) {
  (void)arg;
  setpriority(PRIO_PROCESS, 0, 19);
  errno = 0;
  int n = getpriority(PRIO_PROCESS, gettid());
  atomic_store(&lowNice, errno ? -100 : n);
  while (!atomic_load(&lowStop))
    atomic_fetch_add(&lowCount, 1);
  return NULL;
}

static long nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Bad arguments are refused, values out of range clamped; a nice-19 thread
// gets no CPU while this one computes (30 ms, several ticks), and runs
// while it sleeps.
static int checkNice(void) {
  errno = 0;
  int bad = setpriority(PRIO_PGRP, 0, 5) == 0 || errno != EINVAL;
  bad |= setpriority(PRIO_PROCESS, 4242, 5) == 0 || errno != ESRCH;
  bad |= getpriority(PRIO_PROCESS, 0) != 0;
  // Values out of range are clamped, as on Linux.
  bad |= setpriority(PRIO_PROCESS, 0, -1000000) != 0 ||
         getpriority(PRIO_PROCESS, 0) != -20;
  bad |= setpriority(PRIO_PROCESS, 0, 1000000) != 0 ||
         getpriority(PRIO_PROCESS, 0) != 19;
  bad |= setpriority(PRIO_PROCESS, 0, 0) != 0;
  pthread_t low;
  if (pthread_create(&low, NULL, lowPriority, NULL) != 0)
    return 1;
  while (atomic_load(&lowNice) == 100)
    usleep(1000);
  long before = atomic_load(&lowCount);
  for (long end = nowMs() + 30; nowMs() < end;)
    ;
  long during = atomic_load(&lowCount) - before;
  usleep(5000);
  long asleep = atomic_load(&lowCount) - before - during;
  atomic_store(&lowStop, 1);
  pthread_join(low, NULL);
  printf("threads: nice %d, low-priority thread counted %ld while main ran, "
         "%s while it slept\n",
         atomic_load(&lowNice), during, asleep > 0 ? "more" : "nothing");
  return bad || atomic_load(&lowNice) != 19 || during != 0 || asleep <= 0;
}

int main(void) {
  pthread_t t[Threads], s;
  if (pthread_create(&s, NULL, spinner, NULL) != 0) {
    printf("threads: FAILED to create a thread\n");
    return 1;
  }
  usleep(20000); // the spinner runs; the tick brings us back
  atomic_store(&flag, 1);
  pthread_join(s, NULL);
  printf("threads: preempted spinner joined\n");

  for (long i = 0; i < Threads; ++i)
    pthread_create(&t[i], NULL, worker, (void *)(i + 1));
  pthread_mutex_lock(&lock);
  while (started < Threads)
    pthread_cond_wait(&ready, &lock);
  pthread_mutex_unlock(&lock);
  int bad = 0;
  for (int i = 0; i < Threads; ++i) {
    void *r;
    pthread_join(t[i], &r);
    bad += r != NULL;
  }
  printf("threads: counter %ld (expected %d), TLS %s\n", counter,
         Threads * Rounds, bad ? "mixed up" : "private");
  if (checkNice())
    return 1;
  return counter == Threads * Rounds && !bad ? 0 : 1;
}
