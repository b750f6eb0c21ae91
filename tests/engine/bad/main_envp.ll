; int main(int, char **, char **) with no triple or data layout: hand-written
; IR is taken as the host's. Exits with argc + 2 if envp is a valid array.
define i32 @main(i32 %argc, ptr %argv, ptr %envp) {
  %e = load ptr, ptr %envp
  %a = load ptr, ptr %argv
  %ok = icmp ne ptr %a, null
  %s = select i1 %ok, i32 2, i32 100
  %r = add i32 %argc, %s
  ret i32 %r
}
