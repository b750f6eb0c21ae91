// `gts report`: convergence across boots, from a state folder's newest
// snapshot (its history holds every boot).
#pragma once

#include "Snapshot.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace gts {

// One state folder's history as a table, with the boot it converged at.
void printReport(const std::string &Dir, const std::vector<BootRecord> &History,
                 llvm::raw_ostream &OS);

// What never ran, over one or more folders' newest snapshots (a function or
// block ran if it ran in any): functions and IR instructions.
void printDeadCode(const std::vector<const Snapshot *> &Snapshots,
                   llvm::raw_ostream &OS);

// An SVG of run and compile time, convergence ratio and code size per boot,
// one series per state folder (Dirs parallel to Histories).
void writeReportPlot(const std::vector<std::string> &Dirs,
                     const std::vector<std::vector<BootRecord>> &Histories,
                     llvm::raw_ostream &OS);

} // namespace gts
