// Page-table audit: no physical frame may be writable through one mapping
// and executable through any. Walks every present entry of the live page
// tables (user half, direct map, kernel stacks, kernel image), the
// direct map included: kernel text and frames ring 3 may execute are
// read-only there (mm/paging.h setFrameWritable).
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
