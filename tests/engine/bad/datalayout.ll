; An x86-64 triple with a data layout that is not x86-64's (32-bit pointers).
target datalayout = "e-m:e-p:32:32-i64:64-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"
define i32 @main() {
  ret i32 0
}
