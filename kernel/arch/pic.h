// Legacy 8259 PIC pair, remapped to vectors 32..47, all lines masked
// except those explicitly enabled.
#pragma once

namespace gts::arch {

void picInit();
void picUnmask(unsigned line);
void picEoi(unsigned line);

} // namespace gts::arch
