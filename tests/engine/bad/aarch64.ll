; IR for another target: its ABI (va_list, struct passing) is not x86-64's.
target datalayout = "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128-Fn32"
target triple = "aarch64-unknown-linux-gnu"
define i32 @main() {
  ret i32 0
}
