; main(long): not one of the signatures C allows.
define i32 @main(i64 %n) {
  %r = trunc i64 %n to i32
  ret i32 %r
}
