define i32 @main() {
  %r = call i32 asm "", "=r,r@"(i32 1)
  ret i32 %r
}
