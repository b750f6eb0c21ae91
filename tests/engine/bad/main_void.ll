; void main(void): the engine needs main's int status.
define void @main() {
  ret void
}
