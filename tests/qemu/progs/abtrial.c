// The program of an A/B trial (tests/qemu/ab_test.py, docs/KERNEL.md "A/B
// boot"): `abtrial MODE STATUS [FALLBACK-PROGRAM FALLBACK-DIR]`.
//   confirm  calls gts_main_reached (syscall 1000) first, twice (it is
//            idempotent), then exits with STATUS
//   fault    writes through a null pointer before calling it
//   exit     exits with STATUS before calling it
//   hang     sleeps forever before calling it (power cuts)
//   tamper   before calling it, tries to change every file the fallback
//            needs (all must be refused), then confirms and checks that
//            /CMDLINE.TXT is still read-only and /BOOT.TRY gone
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { GtsMainReached = 1000 };

static int refused(const char *what, long r, int want) {
  int err = errno, ok = r < 0 && err == want;
  printf("abtrial: %s: %s (errno %d)\n", what, ok ? "refused" : "FAILED",
         r < 0 ? err : 0);
  if (r >= 0 && strncmp(what, "open", 4) == 0)
    close((int)r);
  return ok;
}

static int tamper(const char *program, const char *dir) {
  int ok = 1;
  ok &= refused("open /CMDLINE.TXT O_WRONLY|O_TRUNC",
                open("/CMDLINE.TXT", O_WRONLY | O_TRUNC), EACCES);
  int fd = open("/mine.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ok &= fd >= 0 && write(fd, "/abtrial\n", 9) == 9 && close(fd) == 0;
  ok &= refused("rename over /CMDLINE.TXT", rename("/mine.txt", "/CMDLINE.TXT"),
                EPERM);
  ok &= refused("unlink /cmdline.txt", unlink("/cmdline.txt"), EPERM);
  ok &= refused("open /BOOT.TRY O_RDWR", open("/BOOT.TRY", O_RDWR), EACCES);
  ok &= refused("unlink /BOOT.TRY", unlink("/BOOT.TRY"), EPERM);
  ok &=
      refused("rename over /BOOT.TRY", rename("/mine.txt", "/boot.try"), EPERM);
  ok &= refused("open /CMDLINE.NEW O_WRONLY", open("/CMDLINE.NEW", O_WRONLY),
                EACCES);
  ok &= refused("open the fallback program O_RDWR", open(program, O_RDWR),
                EACCES);
  ok &= refused("truncate the fallback program",
                open(program, O_RDONLY | O_TRUNC), EACCES);
  ok &= refused("unlink the fallback program", unlink(program), EPERM);
  ok &= refused("rename over the fallback program",
                rename("/mine.txt", program), EPERM);
  ok &= refused("rename the fallback program's directory",
                rename(dir, "/moved"), EPERM);
  ok &= refused("unlink /KERNEL.BIN", unlink("/KERNEL.BIN"), EPERM);
  fd = open(program, O_RDONLY);
  printf("abtrial: open the fallback program read-only: %s\n",
         fd >= 0 ? "ok" : "FAILED");
  ok &= fd >= 0 && close(fd) == 0;
  ok &= syscall(GtsMainReached) == 0;
  // The trial is confirmed: the new /CMDLINE.TXT is the boot file now.
  ok &= refused("open the new /CMDLINE.TXT O_WRONLY",
                open("/CMDLINE.TXT", O_WRONLY), EACCES);
  ok &= refused("open /BOOT.TRY after the switch", open("/BOOT.TRY", O_RDONLY),
                ENOENT);
  puts(ok ? "abtrial: tamper: every change refused"
          : "abtrial: tamper: FAILED");
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fputs(
        "usage: abtrial confirm|fault|exit|hang|tamper STATUS [PROGRAM DIR]\n",
        stderr);
    return 2;
  }
  const char *mode = argv[1];
  int status = atoi(argv[2]);
  if (strcmp(mode, "fault") == 0) {
    puts("abtrial: faulting before main is announced");
    fflush(stdout);
    *(volatile int *)0 = 1;
  }
  if (strcmp(mode, "exit") == 0) {
    printf("abtrial: exiting with status %d before main is announced\n",
           status);
    return status;
  }
  if (strcmp(mode, "hang") == 0) {
    puts("abtrial: hanging before main is announced");
    fflush(stdout);
    for (;;)
      sleep(1);
  }
  if (strcmp(mode, "tamper") == 0)
    return argc == 5 ? tamper(argv[3], argv[4]) : 2;
  long first = syscall(GtsMainReached), second = syscall(GtsMainReached);
  printf("abtrial: main reached: syscall 1000 returned %ld, then %ld\n", first,
         second);
  printf("abtrial: running, exit status %d\n", status);
  return status;
}
