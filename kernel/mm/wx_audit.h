// Page-table audit: no physical frame may be writable through one mapping
// and executable through any. Walks every present entry of the live page
// tables (user half, direct map, kernel stacks, kernel image).
//
// The one alias allowed: the direct map (supervisor only, never
// executable) may write frames that ring 3 executes, because the kernel
// zeroes and fills user frames through it (DMA, copies). Kernel text is
// read-only everywhere, including the direct map.
#pragma once
#include <stdint.h>

namespace gts::mm {

struct WxAuditResult {
  uint64_t userPages, kernelPages; // leaf 4 KiB pages seen
  uint64_t violations;             // frames (or mappings) breaking the rule
};

// Prints one summary line ("audit: ...") and up to 8 offending mappings.
WxAuditResult auditWx();

} // namespace gts::mm
