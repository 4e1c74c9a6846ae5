/* Cross-core round trip: two threads pinned to CPUs 0 and 1 pass one cache
 * line back and forth, 200000 times; prints the mean round trip in ns.
 *
 *   cc -O2 -pthread tools/core_round_trip.c -o /tmp/core_round_trip && /tmp/core_round_trip
 *
 * On the benchmark VM this tells which state its two vCPUs are in: about
 * 80 ns when they share a core complex, about 400 ns when they sit on
 * different dies of the host. In the second state every thread hand-off and
 * every tensor one thread writes and the other reads costs more, and
 * two-thread inference is 20-40% slower (docs/benchmarks.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { kTrips = 200000 };
static _Atomic int flag __attribute__((aligned(64)));

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void* responder(void* arg) {
  (void)arg;
  pin(1);
  for (int i = 0; i < kTrips; ++i) {
    while (atomic_load(&flag) != 1) {
    }
    atomic_store(&flag, 0);
  }
  return NULL;
}

int main(void) {
  pthread_t other;
  if (pthread_create(&other, NULL, responder, NULL) != 0 || pin(0) != 0) {
    fprintf(stderr, "core_round_trip: needs two CPUs (0 and 1)\n");
    return 1;
  }
  const double start = now_seconds();
  for (int i = 0; i < kTrips; ++i) {
    atomic_store(&flag, 1);
    while (atomic_load(&flag) != 0) {
    }
  }
  const double seconds = now_seconds() - start;
  pthread_join(other, NULL);
  printf("round trip %.0f ns\n", seconds / kTrips * 1e9);
  return 0;
}
