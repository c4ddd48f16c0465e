// SPDX-License-Identifier: Apache-2.0
// Time ↔ pixel arithmetic of the timeline; times stay int64 ns, pixels are doubles computed from
// the offset to the window's begin (exact enough at any absolute clock value).
#include "ui/timeline/timeline_axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace spstudio::ui {

void TimelineAxis::setWidth(double width_px) {
  width_ = std::max(1.0, width_px);
}

void TimelineAxis::setExtent(std::int64_t begin_ns, std::int64_t end_ns) {
  extent_begin_ = std::min(begin_ns, end_ns);
  extent_end_ = std::max(begin_ns, end_ns);
  fit();
}

namespace {
std::int64_t margin_of(std::int64_t extent_span) {
  const auto margin =
      static_cast<std::int64_t>(std::llround(static_cast<double>(extent_span) * TimelineAxis::kMarginFraction));
  return std::max(margin, TimelineAxis::kMinSpanNs / 2);
}
}  // namespace

std::int64_t TimelineAxis::limitBegin() const {
  return extent_begin_ - margin_of(extent_end_ - extent_begin_);
}

std::int64_t TimelineAxis::limitEnd() const {
  return extent_end_ + margin_of(extent_end_ - extent_begin_);
}

void TimelineAxis::fit() {
  begin_ = limitBegin();
  end_ = limitEnd();
}

void TimelineAxis::setWindow(std::int64_t begin_ns, std::int64_t end_ns) {
  const std::int64_t lo = limitBegin(), hi = limitEnd();
  std::int64_t span = std::clamp(end_ns - begin_ns, kMinSpanNs, hi - lo);
  // A too-short window grows around its middle.
  std::int64_t begin = begin_ns + (end_ns - begin_ns - span) / 2;
  begin = std::clamp(begin, lo, hi - span);
  begin_ = begin;
  end_ = begin + span;
}

double TimelineAxis::nsPerPixel() const {
  return static_cast<double>(span()) / width_;
}

double TimelineAxis::x_of(std::int64_t ns) const {
  return static_cast<double>(ns - begin_) / nsPerPixel();
}

std::int64_t TimelineAxis::ns_of(double x) const {
  return begin_ + static_cast<std::int64_t>(std::llround(x * nsPerPixel()));
}

void TimelineAxis::zoom(double factor, double anchor_x) {
  if (!(factor > 0) || !std::isfinite(factor)) return;
  const std::int64_t anchor_ns = ns_of(anchor_x);
  const double wanted = static_cast<double>(span()) / factor;
  const double clamped =
      std::clamp(wanted, static_cast<double>(kMinSpanNs), static_cast<double>(limitEnd() - limitBegin()));
  const auto new_span = static_cast<std::int64_t>(std::llround(clamped));
  const auto begin = anchor_ns - static_cast<std::int64_t>(std::llround(anchor_x / width_ * clamped));
  setWindow(begin, begin + new_span);
}

void TimelineAxis::pan(double dx_px) {
  const auto shift = static_cast<std::int64_t>(std::llround(dx_px * nsPerPixel()));
  setWindow(begin_ - shift, end_ - shift);
}

PixelSpan TimelineAxis::bar(std::int64_t begin_ns, std::int64_t end_ns, double min_width_px) const {
  const double left = x_of(begin_ns);
  const double right = x_of(end_ns);
  if (right - left >= min_width_px) return {left, right - left};
  const double middle = (left + right) / 2;
  return {middle - min_width_px / 2, min_width_px};
}

std::int64_t tick_step_ns(double ns_per_px, double min_px) {
  const double wanted = std::max(1.0, ns_per_px * min_px);
  std::int64_t decade = 1;
  while (true) {
    for (const std::int64_t mantissa : {1, 2, 5}) {
      if (static_cast<double>(mantissa * decade) >= wanted) return mantissa * decade;
    }
    if (decade > 1'000'000'000'000'000) return 10 * decade;  // beyond ~3 years: never in practice
    decade *= 10;
  }
}

namespace {

struct Unit {
  double ns;
  const char* name;
};

/// The largest unit not larger than |ns| (ns for anything under 1 µs).
Unit unit_for(double ns) {
  static constexpr Unit kUnits[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "\u00b5s"}, {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (std::fabs(ns) >= u.ns) return u;
  }
  return kUnits[3];
}

std::string with_unit(double value, int decimals, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string number = text;
  if (number.find('.') != std::string::npos) {  // "12.50" → "12.5", "2.000" → "2"
    number.erase(number.find_last_not_of('0') + 1);
    if (number.back() == '.') number.pop_back();
  }
  if (number == "-0") number = "0";
  return number + " " + unit;
}

}  // namespace

std::string format_duration(std::int64_t ns) {
  if (ns == 0) return "0 s";
  const Unit unit = unit_for(static_cast<double>(ns));
  const double value = static_cast<double>(ns) / unit.ns;
  const double magnitude = std::fabs(value);
  const int decimals = unit.ns == 1 ? 0 : magnitude < 10 ? 3 : magnitude < 100 ? 2 : 1;
  return with_unit(value, decimals, unit.name);
}

std::string format_tick(std::int64_t ns, std::int64_t step_ns) {
  if (ns == 0) return "0";
  const Unit unit = unit_for(static_cast<double>(ns));
  const double steps_per_unit = unit.ns / static_cast<double>(std::max<std::int64_t>(1, step_ns));
  const int decimals = std::max(0, static_cast<int>(std::ceil(std::log10(steps_per_unit) - 1e-9)));
  return with_unit(static_cast<double>(ns) / unit.ns, decimals, unit.name);
}

}  // namespace spstudio::ui
