#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
_Atomic int ai = 5;
_Atomic long al = 100;
int grid[8][8];
struct Node { int v; struct Node *next; };
int main(void) {
  atomic_fetch_add(&ai, 10);
  atomic_fetch_sub(&al, 1);
  int exp = 15;
  int ok = atomic_compare_exchange_strong(&ai, &exp, 42);
  int exp2 = 7;
  int ok2 = atomic_compare_exchange_strong(&ai, &exp2, 1);
  int old = atomic_exchange(&ai, 9);
  atomic_fetch_or(&al, 0x1000);
  atomic_fetch_and(&al, 0x10ff);
  atomic_fetch_xor(&al, 3);
  atomic_thread_fence(memory_order_seq_cst);
  printf("%d %d %d %d %d %ld\n", ok, ok2, exp2, old, atomic_load(&ai), atomic_load(&al));
  for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) grid[i][j] = i * j;
  int tr = 0;
  for (int i = 0; i < 8; i++) tr += grid[i][i] + grid[7 - i][i];
  struct Node *head = NULL;
  for (int i = 0; i < 10; i++) { struct Node *n = malloc(sizeof *n); n->v = i * i; n->next = head; head = n; }
  int ls = 0;
  while (head) { struct Node *n = head; ls += n->v; head = n->next; free(n); }
  char s[64]; memset(s, 'x', 10); s[10] = 0; strcat(s, "-tail");
  char t[64]; memcpy(t, s, strlen(s) + 1); memmove(t + 2, t, 6);
  printf("%d %d %s %s %zu\n", tr, ls, s, t, strlen(t));
  return 0;
}
