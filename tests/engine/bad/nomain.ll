define i32 @helper(i32 %x) {
  ret i32 %x
}
