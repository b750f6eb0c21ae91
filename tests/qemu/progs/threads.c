// Threads on one CPU: pthread_create (clone), mutexes and a condition
// variable (futex wait/wake), preemption of a spinning thread by the timer,
// thread-local storage (each thread's FS base), sleeping, pthread_join
// (clear-child-tid futex).
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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
  return counter == Threads * Rounds && !bad ? 0 : 1;
}
