declare i32 @frobnicate(i32)
declare i32 @puts(ptr)
define i32 @main() {
  %r = call i32 @frobnicate(i32 1)
  ret i32 %r
}
