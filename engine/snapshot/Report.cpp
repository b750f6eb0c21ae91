#include "Report.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace llvm;

namespace gts {

void printReport(const std::string &Dir, const std::vector<BootRecord> &History,
                 raw_ostream &OS) {
  OS << Dir << ": " << History.size() << " boots";
  auto Converged =
      std::find_if(History.begin(), History.end(),
                   [](const BootRecord &B) { return B.Converged; });
  if (Converged != History.end())
    OS << ", converged at boot " << Converged->Boot;
  else
    OS << ", not converged";
  OS << "\n";
  printHistory(History, OS);
}

void printDeadCode(const std::vector<const Snapshot *> &Snapshots,
                   raw_ostream &OS) {
  StringMap<std::pair<uint32_t, uint32_t>> Run; // instructions, run
  StringMap<bool> Called;
  for (const Snapshot *S : Snapshots)
    for (const FunctionRecord &F : S->Functions) {
      auto &[All, Ran] = Run[F.Profile.Name];
      All = F.Instructions;
      Ran = std::max(Ran, F.InstructionsRun);
      Called[F.Profile.Name] |= F.Profile.Counters.Calls > 0;
    }
  uint64_t Functions = Run.size(), Dead = 0, Instructions = 0, NeverRan = 0;
  for (const auto &[Name, Counts] : Run) {
    Dead += !Called.lookup(Name);
    Instructions += Counts.first;
    NeverRan += Counts.first - Counts.second;
  }
  auto Share = [](uint64_t Part, uint64_t Whole) {
    return Whole ? 100.0 * Part / Whole : 0.0;
  };
  OS << format("dead code: %llu of %llu functions (%.1f%%) and %llu of %llu "
               "IR instructions (%.1f%%) never ran\n",
               (unsigned long long)Dead, (unsigned long long)Functions,
               Share(Dead, Functions), (unsigned long long)NeverRan,
               (unsigned long long)Instructions, Share(NeverRan, Instructions));
}

namespace {

constexpr int Width = 640, PanelHeight = 170, Left = 70, Right = 150, Top = 30;
const char *const Colors[] = {"#1f77b4", "#d62728", "#2ca02c",
                              "#9467bd", "#ff7f0e", "#8c564b"};

// A value axis from 0 to a round maximum.
double niceMax(double Max) {
  if (Max <= 0)
    return 1;
  double Step = std::pow(10, std::floor(std::log10(Max)));
  for (double M : {1.0, 2.0, 5.0, 10.0})
    if (M * Step >= Max)
      return M * Step;
  return 10 * Step;
}

const char *dashArray(int Dash) {
  const char *const Styles[] = {"", " stroke-dasharray='6,3'",
                                " stroke-dasharray='2,2'"};
  return Styles[std::min<size_t>(Dash, std::size(Styles) - 1)];
}

struct Series {
  std::string Label;
  const char *Color;
  int Dash; // 0 solid, then ever shorter dashes
  std::vector<std::pair<double, double>> Points; // (boot, value)
};

class Plot {
public:
  explicit Plot(raw_ostream &OS) : OS(OS) {}

  void panel(int Index, StringRef Title, StringRef Unit, double MaxBoot,
             const std::vector<Series> &All) {
    double Max = 0;
    for (const Series &S : All)
      for (auto [X, Y] : S.Points)
        Max = std::max(Max, Y);
    Max = niceMax(Max);
    int Y0 = Top + Index * (PanelHeight + 50);
    int PlotW = Width - Left - Right, PlotH = PanelHeight;
    auto X = [&](double Boot) {
      return Left + (MaxBoot > 1 ? (Boot - 1) / (MaxBoot - 1) : 0.5) * PlotW;
    };
    auto Y = [&](double V) { return Y0 + PlotH - V / Max * PlotH; };
    OS << format("<text x='%d' y='%d' font-weight='bold'>", Left, Y0 - 8)
       << Title << "</text>\n";
    // Axes, ticks and labels.
    OS << format("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>\n",
                 Left, Y0, Left, Y0 + PlotH)
       << format("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>\n",
                 Left, Y0 + PlotH, Left + PlotW, Y0 + PlotH);
    for (int T = 0; T <= 4; ++T) {
      double V = Max * T / 4;
      OS << format("<text x='%d' y='%.1f' text-anchor='end' font-size='11'>"
                   "%g</text>\n",
                   Left - 6, Y(V) + 4, V);
    }
    OS << format("<text x='%d' y='%d' font-size='11' transform='rotate(-90 "
                 "%d %d)' text-anchor='middle'>",
                 16, Y0 + PlotH / 2, 16, Y0 + PlotH / 2)
       << Unit << "</text>\n";
    int Step = std::max(1, static_cast<int>(MaxBoot) / 10);
    for (int B = 1; B <= MaxBoot; B += Step)
      OS << format("<text x='%.1f' y='%d' text-anchor='middle' "
                   "font-size='11'>%d</text>\n",
                   X(B), Y0 + PlotH + 14, B);
    OS << format("<text x='%d' y='%d' text-anchor='middle' font-size='11'>"
                 "boot</text>\n",
                 Left + PlotW / 2, Y0 + PlotH + 28);
    // Lines, points and the legend.
    for (size_t I = 0; I < All.size(); ++I) {
      const Series &S = All[I];
      OS << "<polyline fill='none' stroke-width='2' stroke='" << S.Color << "'"
         << dashArray(S.Dash) << " points='";
      for (auto [Bt, V] : S.Points)
        OS << format("%.1f,%.1f ", X(Bt), Y(V));
      OS << "'/>\n";
      for (auto [Bt, V] : S.Points)
        OS << format("<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n", X(Bt),
                     Y(V), S.Color);
      int LY = Y0 + 12 + static_cast<int>(I) * 16;
      OS << format("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' "
                   "stroke-width='2'%s/>\n",
                   Left + PlotW + 12, LY - 4, Left + PlotW + 32, LY - 4,
                   S.Color, dashArray(S.Dash))
         << format("<text x='%d' y='%d' font-size='11'>", Left + PlotW + 36, LY)
         << S.Label << "</text>\n";
    }
  }

private:
  raw_ostream &OS;
};

std::vector<Series> seriesOf(
    const std::vector<std::string> &Dirs,
    const std::vector<std::vector<BootRecord>> &Histories,
    ArrayRef<std::pair<StringRef, std::function<double(const BootRecord &)>>>
        Values) {
  std::vector<Series> All;
  for (size_t D = 0; D < Dirs.size(); ++D)
    for (size_t V = 0; V < Values.size(); ++V) {
      Series S;
      S.Label = Values[V].first.str();
      if (Dirs.size() > 1)
        S.Label += " (" + Dirs[D] + ")";
      S.Color = Colors[D % std::size(Colors)];
      S.Dash = static_cast<int>(V);
      for (const BootRecord &B : Histories[D])
        S.Points.emplace_back(B.Boot, Values[V].second(B));
      All.push_back(std::move(S));
    }
  return All;
}

} // namespace

void writeReportPlot(const std::vector<std::string> &Dirs,
                     const std::vector<std::vector<BootRecord>> &Histories,
                     raw_ostream &OS) {
  double MaxBoot = 1;
  for (const auto &H : Histories)
    for (const BootRecord &B : H)
      MaxBoot = std::max<double>(MaxBoot, B.Boot);
  int Height = Top + 4 * (PanelHeight + 50);
  OS << format("<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
               "height='%d' font-family='sans-serif'>\n",
               Width, Height)
     << format("<rect width='%d' height='%d' fill='white'/>\n", Width, Height);
  Plot P(OS);
  P.panel(0, "Time per boot", "milliseconds", MaxBoot,
          seriesOf(Dirs, Histories,
                   {{"run", [](const BootRecord &B) { return B.RunMillis; }},
                    {"compiling",
                     [](const BootRecord &B) { return B.CompileMillis; }},
                    {"first output", [](const BootRecord &B) {
                       return std::max(0.0, B.FirstOutputMillis);
                     }}}));
  P.panel(1, "Convergence: hot functions at their final tier", "ratio", MaxBoot,
          seriesOf(Dirs, Histories,
                   {{"ratio", [](const BootRecord &B) { return B.ratio(); }}}));
  P.panel(2, "Bytes loaded at boot (engine, app, snapshot)", "MiB", MaxBoot,
          seriesOf(Dirs, Histories, {{"loaded", [](const BootRecord &B) {
                                        return B.LoadedBytes / 1048576.0;
                                      }}}));
  P.panel(3, "Object code kept in the snapshot", "KiB", MaxBoot,
          seriesOf(Dirs, Histories, {{"code", [](const BootRecord &B) {
                                        return B.ObjectBytes / 1024.0;
                                      }}}));
  OS << "</svg>\n";
}

} // namespace gts
