; Functions the interpreter cannot run (an empty inline asm each), first
; reached through every kind of entry: an interpreted call (@direct), native
; calls from compiled code through the entry stub with stack arguments
; (@many), variadic (@sum), through a JIT entry thunk with a byval argument
; (@byv) and with a vector argument (@vec), and from the C library (@cmp, a
; qsort comparator). Each moves to O0 at its first call, which then runs
; there with the caller's arguments. --tier=interp stops at @direct.
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.S = type { i64, i64, i64 }
%struct.VaList = type { i32, i32, ptr, ptr }

@.direct = private constant [12 x i8] c"direct %ld\0A\00"
@.many = private constant [10 x i8] c"many %ld\0A\00"
@.sum = private constant [9 x i8] c"sum %ld\0A\00"
@.byv = private constant [9 x i8] c"byv %ld\0A\00"
@.vec = private constant [10 x i8] c"vec %.1f\0A\00"
@.sorted = private constant [17 x i8] c"sorted %d %d %d\0A\00"
@data = global [3 x i32] [i32 3, i32 1, i32 2]

declare i32 @printf(ptr, ...)
declare void @qsort(ptr, i64, i64, ptr)
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_end.p0(ptr)

define i64 @direct(i64 %x) {
  call void asm sideeffect "", ""()
  %r = mul i64 %x, 3
  ret i64 %r
}

define i64 @many(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e, i64 %f, i64 %g, i64 %h) {
  call void asm sideeffect "", ""()
  %s1 = add i64 %a, %b
  %s2 = add i64 %s1, %c
  %s3 = add i64 %s2, %d
  %s4 = add i64 %s3, %e
  %s5 = add i64 %s4, %f
  %g10 = mul i64 %g, 10
  %h100 = mul i64 %h, 100
  %s6 = add i64 %s5, %g10
  %s7 = add i64 %s6, %h100
  ret i64 %s7
}

define i64 @sum(i32 %n, ...) {
entry:
  call void asm sideeffect "", ""()
  %ap = alloca %struct.VaList
  call void @llvm.va_start.p0(ptr %ap)
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %acc = phi i64 [ 0, %entry ], [ %acc1, %loop ]
  %v = va_arg ptr %ap, i64
  %acc1 = add i64 %acc, %v
  %i1 = add i32 %i, 1
  %done = icmp eq i32 %i1, %n
  br i1 %done, label %out, label %loop
out:
  call void @llvm.va_end.p0(ptr %ap)
  ret i64 %acc1
}

define i64 @byv(ptr byval(%struct.S) align 8 %s) {
  call void asm sideeffect "", ""()
  %p1 = getelementptr %struct.S, ptr %s, i32 0, i32 1
  %p2 = getelementptr %struct.S, ptr %s, i32 0, i32 2
  %a = load i64, ptr %s
  %b = load i64, ptr %p1
  %c = load i64, ptr %p2
  %ab = add i64 %a, %b
  %r = add i64 %ab, %c
  ret i64 %r
}

define double @vec(<2 x double> %v) {
  call void asm sideeffect "", ""()
  %a = extractelement <2 x double> %v, i32 0
  %b = extractelement <2 x double> %v, i32 1
  %r = fmul double %a, %b
  ret double %r
}

define i32 @cmp(ptr %a, ptr %b) {
  call void asm sideeffect "", ""()
  %x = load i32, ptr %a
  %y = load i32, ptr %b
  %r = sub i32 %x, %y
  ret i32 %r
}

; Runs compiled (it cannot be interpreted either): its calls are native.
define void @native_calls() {
  %m = call i64 @many(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8)
  call i32 (ptr, ...) @printf(ptr @.many, i64 %m)
  %s = call i64 (i32, ...) @sum(i32 9, i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8, i64 9)
  call i32 (ptr, ...) @printf(ptr @.sum, i64 %s)
  %st = alloca %struct.S
  store i64 100, ptr %st
  %q1 = getelementptr %struct.S, ptr %st, i32 0, i32 1
  store i64 20, ptr %q1
  %q2 = getelementptr %struct.S, ptr %st, i32 0, i32 2
  store i64 3, ptr %q2
  %b = call i64 @byv(ptr byval(%struct.S) align 8 %st)
  call i32 (ptr, ...) @printf(ptr @.byv, i64 %b)
  %v0 = insertelement <2 x double> undef, double 1.5, i32 0
  %v1 = insertelement <2 x double> %v0, double 4.0, i32 1
  %d = call double @vec(<2 x double> %v1)
  call i32 (ptr, ...) @printf(ptr @.vec, double %d)
  call void @qsort(ptr @data, i64 3, i64 4, ptr @cmp)
  call void asm sideeffect "", ""()
  ret void
}

define i32 @main() {
  %d = call i64 @direct(i64 14)
  call i32 (ptr, ...) @printf(ptr @.direct, i64 %d)
  %d2 = call i64 @direct(i64 5)
  call i32 (ptr, ...) @printf(ptr @.direct, i64 %d2)
  call void @native_calls()
  %e0 = load i32, ptr @data
  %p1 = getelementptr [3 x i32], ptr @data, i32 0, i32 1
  %e1 = load i32, ptr %p1
  %p2 = getelementptr [3 x i32], ptr @data, i32 0, i32 2
  %e2 = load i32, ptr %p2
  call i32 (ptr, ...) @printf(ptr @.sorted, i32 %e0, i32 %e1, i32 %e2)
  ret i32 0
}
