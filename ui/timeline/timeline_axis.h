// SPDX-License-Identifier: Apache-2.0
// The time axis of the timeline: which window of time [begin, end] (ns, the host steady clock all
// ranks share) is visible over how many pixels; zooming around an anchor, panning, clamping to the
// data, minimum bar widths, and the ruler's tick spacing and labels. GUI-free (tested without
// widgets); the view only feeds it pixels.
#pragma once

#include <cstdint>
#include <string>

namespace spstudio::ui {

/// A bar's horizontal pixels: left edge and width.
struct PixelSpan {
  double left = 0, width = 0;
  double right() const { return left + width; }
};

class TimelineAxis {
 public:
  static constexpr std::int64_t kMinSpanNs = 1000;  ///< zooming in stops at 1 µs over the width
  static constexpr double kMarginFraction = 0.05;   ///< room shown left and right of the data

  /// Plot width in pixels (at least 1).
  void setWidth(double width_px);
  double width() const { return width_; }

  /// The data's time range; the window may go beyond it by the margin only. Fits the window.
  void setExtent(std::int64_t begin_ns, std::int64_t end_ns);
  std::int64_t extentBegin() const { return extent_begin_; }
  std::int64_t extentEnd() const { return extent_end_; }
  /// The farthest the window may reach: the extent widened by kMarginFraction of its span
  /// (at least kMinSpanNs / 2) on each side.
  std::int64_t limitBegin() const;
  std::int64_t limitEnd() const;

  /// Shows everything: the window becomes [limitBegin, limitEnd].
  void fit();
  /// Shows [begin, end], clamped: span at least kMinSpanNs, at most the limits' span, shifted
  /// back inside the limits when it sticks out.
  void setWindow(std::int64_t begin_ns, std::int64_t end_ns);
  std::int64_t begin() const { return begin_; }
  std::int64_t end() const { return end_; }
  std::int64_t span() const { return end_ - begin_; }
  double nsPerPixel() const;

  double x_of(std::int64_t ns) const;
  std::int64_t ns_of(double x) const;

  /// factor > 1 zooms in (the span divides by it), < 1 out. The time under anchor_x stays under
  /// it, unless the clamps (minimum span, limits) move the window.
  void zoom(double factor, double anchor_x);
  /// Moves the content by dx pixels, as a drag does: dx > 0 shows earlier times. Clamped.
  void pan(double dx_px);

  /// Pixels of a range; shorter than min_width_px it gets min_width_px centred on its middle, so
  /// that tiny ranges stay visible.
  PixelSpan bar(std::int64_t begin_ns, std::int64_t end_ns, double min_width_px = 2.0) const;

 private:
  double width_ = 1;
  std::int64_t extent_begin_ = 0, extent_end_ = 1'000'000;
  std::int64_t begin_ = 0, end_ = 1'000'000;
};

/// The ruler's tick step: the smallest 1, 2 or 5 × 10^k ns that puts ticks at least min_px apart.
std::int64_t tick_step_ns(double ns_per_px, double min_px);
/// "0 s", "820 ns", "12.5 µs", "45.62 ms", "1.234 s": up to four significant digits, trailing
/// zeros dropped, the unit chosen by magnitude (negative values keep their sign).
std::string format_duration(std::int64_t ns);
/// A ruler label: the unit chosen by the tick's magnitude, with just enough decimals to tell ticks
/// step_ns apart ("1.0002 s" for step 200 µs, "4 ms" for step 2 ms); "0" at the origin.
std::string format_tick(std::int64_t ns, std::int64_t step_ns);

}  // namespace spstudio::ui
