// SPDX-License-Identifier: Apache-2.0
// Reading a recording for playback. Unlike wire::read_recording, a file that ends inside a frame
// keeps the frames before it: a session that crashed mid-job left exactly such a file, and playing
// it up to the crash is the point of keeping it.
#include "app/session/recorded_playlist.h"

#include <QFile>
#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "app/session/handshake.h"
#include "common/wire/codec.h"

namespace spstudio::app {
namespace {

std::string text(const QString& s) {
  return s.toStdString();
}

std::string type_of_message(const wire::Message& message) {
  return wire::type_name(static_cast<std::uint16_t>(wire::type_of(message)));
}

std::vector<wire::Message> decode_file(const QString& path, std::string& cut_off) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    throw std::runtime_error("cannot open the recording " + text(path) + ": " + text(file.errorString()));
  }
  wire::FrameDecoder decoder(wire::FrameDecoder::Options{/*expect_preamble=*/true});
  std::vector<wire::Message> messages;
  qint64 total = 0;
  try {
    for (;;) {
      const QByteArray chunk = file.read(1 << 20);
      if (chunk.isEmpty()) {
        if (file.error() != QFileDevice::NoError) {
          throw std::runtime_error("cannot read the recording " + text(path) + ": " + text(file.errorString()));
        }
        break;
      }
      total += chunk.size();
      decoder.feed(reinterpret_cast<const std::uint8_t*>(chunk.constData()), static_cast<std::size_t>(chunk.size()));
      while (std::optional<wire::Message> message = decoder.next())
        messages.push_back(std::move(*message));
    }
    decoder.finish();
  } catch (const wire::ProtocolError& e) {
    if (e.kind() != wire::ProtocolError::Kind::Truncated || messages.empty()) {
      throw std::runtime_error("recording " + text(path) + ": " + e.what());
    }
    cut_off = e.what();
  }
  if (total == 0) {
    throw std::runtime_error("recording " + text(path) +
                             ": the file is empty (a recording starts with the SP Studio preamble)");
  }
  return messages;
}

/// World and devices from the first Hello or Ready of each rank.
void read_pool(Playlist& p) {
  for (std::size_t i = 0; i < p.messages.size(); ++i) {
    const wire::Message& m = p.messages[i];
    std::uint32_t rank = 0, world = 0;
    if (const auto* hello = std::get_if<wire::Hello>(&m)) {
      rank = hello->rank;
      world = hello->world;
    } else if (const auto* ready = std::get_if<wire::Ready>(&m)) {
      rank = ready->rank;
      world = ready->world;
    } else {
      continue;
    }
    if (p.world == 0) {
      if (world == 0 || world > 4096) {
        throw std::runtime_error("recording " + text(p.path) + ": message " + std::to_string(i) + " (a " +
                                 type_of_message(m) + ") says the pool had " + std::to_string(world) + " workers");
      }
      p.world = static_cast<int>(world);
      p.ranks.resize(world);
    } else if (static_cast<int>(world) != p.world) {
      throw std::runtime_error("recording " + text(p.path) + " mixes pools of " + std::to_string(p.world) + " and " +
                               std::to_string(world) + " workers (message " + std::to_string(i) + ", a " +
                               type_of_message(m) + " from rank " + std::to_string(rank) +
                               "); record one pool per file");
    }
    if (rank >= world) continue;  // the rank check below names it
    RecordedRank& r = p.ranks[rank];
    if (const auto* hello = std::get_if<wire::Hello>(&m)) {
      if (r.device.isEmpty()) r.device = QString::fromStdString(hello->device);
      if (r.memory_bytes == 0) r.memory_bytes = hello->memory_bytes;
    } else if (const auto* ready = std::get_if<wire::Ready>(&m); ready && r.backend.isEmpty()) {
      if (!ready->device.empty()) r.device = QString::fromStdString(ready->device);  // Ready has the final word
      r.backend = QString::fromStdString(ready->backend);
    }
  }
  if (p.world == 0) {
    throw std::runtime_error("recording " + text(p.path) +
                             " has no Ready or Hello: it does not say which workers it came from");
  }
}

std::uint32_t rank_in(const wire::Message& m) {
  if (const auto* hello = std::get_if<wire::Hello>(&m)) return hello->rank;
  return sender_rank(m).value_or(0);
}

std::optional<std::uint32_t> image_index_of(const wire::Message& m) {
  return std::visit(
      [](const auto& x) -> std::optional<std::uint32_t> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, wire::StepPreview> || std::is_same_v<T, wire::Latent> ||
                      std::is_same_v<T, wire::Ranges> || std::is_same_v<T, wire::StepDone> ||
                      std::is_same_v<T, wire::ImageDone>) {
          return x.image_index;
        } else {
          return std::nullopt;
        }
      },
      m);
}

}  // namespace

std::optional<std::uint64_t> job_id_of(const wire::Message& message) {
  return std::visit(
      [](const auto& m) -> std::optional<std::uint64_t> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, wire::StepPreview> || std::is_same_v<T, wire::Latent> ||
                      std::is_same_v<T, wire::Ranges> || std::is_same_v<T, wire::StepDone> ||
                      std::is_same_v<T, wire::ImageDone> || std::is_same_v<T, wire::JobDone>) {
          return m.job_id;
        } else if constexpr (std::is_same_v<T, wire::Error>) {
          if (m.job_id == 0) return std::nullopt;  // not about a job
          return m.job_id;
        } else {
          return std::nullopt;
        }
      },
      message);
}

void set_job_id(wire::Message& message, std::uint64_t job_id) {
  if (!job_id_of(message)) return;
  std::visit(
      [job_id](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, wire::StepPreview> || std::is_same_v<T, wire::Latent> ||
                      std::is_same_v<T, wire::Ranges> || std::is_same_v<T, wire::StepDone> ||
                      std::is_same_v<T, wire::ImageDone> || std::is_same_v<T, wire::JobDone> ||
                      std::is_same_v<T, wire::Error>) {
          m.job_id = job_id;
        }
      },
      message);
}

std::optional<StepKey> step_key_of(const wire::Message& message) {
  if (const auto* m = std::get_if<wire::StepPreview>(&message)) return StepKey{m->image_index, m->step};
  if (const auto* m = std::get_if<wire::Latent>(&message)) return StepKey{m->image_index, m->step};
  if (const auto* m = std::get_if<wire::StepDone>(&message)) return StepKey{m->image_index, m->step};
  if (const auto* m = std::get_if<wire::Ranges>(&message); m && m->step >= 1) {
    return StepKey{m->image_index, static_cast<std::uint32_t>(m->step)};
  }
  return std::nullopt;
}

Playlist make_playlist(std::vector<wire::Message> messages, const QString& path, std::string cut_off) {
  Playlist p;
  p.path = path;
  p.messages = std::move(messages);
  p.cut_off = std::move(cut_off);
  read_pool(p);

  std::map<std::uint64_t, std::size_t> job_index;  // recorded id → index in p.jobs
  std::vector<std::size_t> first_mention, last_mention;
  for (std::size_t i = 0; i < p.messages.size(); ++i) {
    const wire::Message& m = p.messages[i];
    if (!std::holds_alternative<wire::Hello>(m) && !sender_rank(m)) {
      throw std::runtime_error("recording " + text(path) + ": message " + std::to_string(i) + " is a " +
                               type_of_message(m) +
                               ", which only the supervisor sends (a recording holds what the workers sent)");
    }
    const std::uint32_t rank = rank_in(m);
    if (static_cast<int>(rank) >= p.world) {
      throw std::runtime_error("recording " + text(path) + ": message " + std::to_string(i) + " (a " +
                               type_of_message(m) + ") comes from rank " + std::to_string(rank) +
                               ", but the pool had " + std::to_string(p.world) + " workers");
    }
    const auto id = job_id_of(m);
    if (!id) continue;
    auto [it, inserted] = job_index.try_emplace(*id, p.jobs.size());
    if (inserted) {
      p.jobs.emplace_back().recorded_id = *id;
      first_mention.push_back(i);
      last_mention.push_back(i);
    }
    RecordedJob& job = p.jobs[it->second];
    last_mention[it->second] = i;
    if (const auto image = image_index_of(m)) job.images = std::max(job.images, *image + 1);
    if (const auto* done = std::get_if<wire::JobDone>(&m)) job.done_summaries[done->rank] = done->summary_json;
    if (const auto* step = std::get_if<wire::StepDone>(&m)) {
      double& slowest = job.step_ms[{step->image_index, step->step}];
      slowest = std::max(slowest, step->step_ms);
    }
  }
  if (p.jobs.empty()) {
    throw std::runtime_error("recording " + text(path) + " has no job (no message is about one): nothing to replay" +
                             (p.cut_off.empty() ? std::string() : " (" + p.cut_off + ")"));
  }

  p.preamble_end = first_mention.front();
  std::size_t begin = p.preamble_end;
  for (std::size_t k = 0; k < p.jobs.size(); ++k) {
    RecordedJob& job = p.jobs[k];
    for (int rank = 0; rank < p.world; ++rank) {
      if (!job.done_summaries.count(static_cast<std::uint32_t>(rank))) {
        job.missing_done.push_back(static_cast<std::uint32_t>(rank));
      }
    }
    const bool last = k + 1 == p.jobs.size();
    std::size_t end = last && !job.missing_done.empty() ? p.messages.size() : last_mention[k] + 1;
    end = std::max(end, begin);
    job.begin = begin;
    job.end = end;
    begin = end;
  }
  return p;
}

Playlist read_playlist(const QString& path) {
  std::string cut_off;
  std::vector<wire::Message> messages = decode_file(path, cut_off);
  return make_playlist(std::move(messages), path, std::move(cut_off));
}

}  // namespace spstudio::app
