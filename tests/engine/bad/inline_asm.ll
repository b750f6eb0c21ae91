; A function the interpreter cannot run (inline asm): tiered runs start it
; at O0, --tier=interp refuses the app.
@.fmt = private constant [8 x i8] c"x = %d\0A\00"
declare i32 @printf(ptr, ...)

define i32 @twice(i32 %x) {
  %r = call i32 asm "leal ($1,$1), $0", "=r,r"(i32 %x)
  ret i32 %r
}

define i32 @main() {
  %v = call i32 @twice(i32 21)
  %p = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %v)
  ret i32 0
}
