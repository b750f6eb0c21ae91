// Test 2: file I/O on the FAT16 partition. Writes, reads back, renames and
// deletes files, lists a directory; the host then checks the volume with
// mtools and fsck.fat. Every failure prints one line and exits 1.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void check(int ok, const char *what) {
  if (!ok) {
    printf("fileio: FAILED: %s (errno %d)\n", what, errno);
    exit(1);
  }
}

static void writeFile(const char *path, const char *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  check(fd >= 0, path);
  check(write(fd, data, len) == (ssize_t)len, "write");
  check(fsync(fd) == 0, "fsync");
  check(close(fd) == 0, "close");
}

int main(void) {
  const char *text = "gts wrote this line\nand this one\n";
  check(mkdir("/results", 0755) == 0, "mkdir /results");
  writeFile("/results/draft.txt", text, strlen(text));

  // Read back through stdio.
  char buf[128] = {0};
  FILE *f = fopen("/results/draft.txt", "r");
  check(f != NULL, "fopen draft");
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  check(n == strlen(text) && strcmp(buf, text) == 0, "read back draft");

  // A larger file across many clusters, checked with pread at an offset.
  size_t bigLen = 300000;
  char *big = malloc(bigLen);
  for (size_t i = 0; i < bigLen; ++i)
    big[i] = (char)('a' + (i * 7) % 26);
  writeFile("/Big Data.bin", big, bigLen);
  int fd = open("/Big Data.bin", O_RDONLY);
  check(fd >= 0, "open big");
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_size == (off_t)bigLen, "fstat big");
  char chunk[1000];
  check(pread(fd, chunk, sizeof chunk, 123456) == sizeof chunk, "pread");
  check(memcmp(chunk, big + 123456, sizeof chunk) == 0, "pread data");
  check(lseek(fd, -10, SEEK_END) == (off_t)bigLen - 10, "lseek");
  close(fd);

  // Rename, then delete a scratch file.
  check(rename("/results/draft.txt", "/results/final.txt") == 0, "rename");
  check(access("/results/draft.txt", F_OK) != 0 && errno == ENOENT,
        "old name gone");
  writeFile("/scratch.tmp", "x", 1);
  check(unlink("/scratch.tmp") == 0, "unlink");
  check(open("/scratch.tmp", O_RDONLY) < 0 && errno == ENOENT,
        "deleted file gone");
  check(open("/results", O_WRONLY) < 0 && errno == EISDIR, "EISDIR");

  // List the directory with readdir (getdents64).
  DIR *d = opendir("/results");
  check(d != NULL, "opendir");
  int found = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, "final.txt") == 0)
      found = 1;
  closedir(d);
  check(found, "readdir finds final.txt");

  // fsync of a directory (the last step of a snapshot save), syncfs, sync.
  int dfd = open("/results", O_RDONLY | O_DIRECTORY);
  check(dfd >= 0, "open /results as a directory");
  check(fsync(dfd) == 0, "fsync /results");
  check(syscall(SYS_syncfs, dfd) == 0, "syncfs");
  check(close(dfd) == 0, "close /results");
  check(syscall(SYS_sync) == 0, "sync");

  printf("fileio: all checks passed\n");
  return 0;
}
