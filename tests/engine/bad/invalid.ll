define i32 @main() {
entry:
  br label %next
next:
  ret i32 %late
other:
  %late = add i32 1, 2
  ret i32 %late
}
