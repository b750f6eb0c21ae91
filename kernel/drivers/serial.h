// COM1 at 115200 8N1, polled: the kernel console and the programs' stdio.
#pragma once
#include <stddef.h>

namespace gts::drivers {

void serialInit();
void serialWrite(const char *s, size_t n);
// Non-blocking: -1 when no byte is waiting.
int serialTryRead();

} // namespace gts::drivers
