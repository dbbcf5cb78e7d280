#include "testbench/wave/kanata_writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "firmware/asm/nic_asm.h"

namespace nicsim::wave {

KanataWriter::KanataWriter(std::ostream& out, const firmware::Image& image,
                           uint32_t contexts_per_core)
    : out_(out), image_(image), contexts_(contexts_per_core) {
  out_ << "Kanata\t0004\n";
}

void KanataWriter::advance_to(uint64_t cycle) {
  if (!started_) {
    out_ << "C=\t" << cycle << "\n";
    started_ = true;
    cycle_ = cycle;
  }
  if (cycle <= cycle_) return;
  // Stage changes owed to the cycle after the last one happen in that cycle.
  const bool owed = !to_queue_.empty() || !to_retire_.empty();
  out_ << "C\t" << (owed ? 1 : cycle - cycle_) << "\n";
  cycle_ = owed ? cycle_ + 1 : cycle;
  for (uint64_t id : to_queue_)
    out_ << "E\t" << id << "\t0\tF\nS\t" << id << "\t0\tQ\n";
  to_queue_.clear();
  for (uint64_t id : to_retire_)
    out_ << "E\t" << id << "\t0\tX\nR\t" << id << "\t" << next_retire_++ << "\t0\n";
  to_retire_.clear();
  if (cycle > cycle_) advance_to(cycle);
}

void KanataWriter::finish() {
  if (started_) advance_to(cycle_ + 1);
  out_.flush();
}

void KanataWriter::fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address) {
  advance_to(cycle);
  const uint64_t id = next_id_++;
  const uint32_t t = thread(core, context);
  out_ << "I\t" << id << "\t" << id << "\t" << t << "\n";
  const std::string text =
      address < image_.bundle_count()
          ? firmware::disassemble_bundle(image_.bundle(address), image_.constants)
          : std::string("?");
  out_ << fmt::format("L\t{}\t0\tc{} @{}: {}\n", id, t, address, text);
  out_ << "S\t" << id << "\t0\tF\n";
  buffered_[t] = {id, cycle};
  to_queue_.push_back(id);
}

void KanataWriter::issue(uint64_t cycle, uint16_t core, uint8_t context, bool ends_packet,
                         bool fault, uint64_t return_value) {
  advance_to(cycle);
  const uint32_t t = thread(core, context);
  const auto it = buffered_.find(t);
  if (it == buffered_.end()) return;
  const uint64_t id = it->second.id;
  buffered_.erase(it);
  out_ << "E\t" << id << "\t0\tQ\nS\t" << id << "\t0\tX\n";
  if (ends_packet)
    out_ << fmt::format("L\t{}\t1\t{} r0 = 0x{:x}\n", id, fault ? "fault," : "exit,", return_value);
  to_retire_.push_back(id);
}

void KanataWriter::abort(uint64_t exit_cycle, uint16_t core, uint8_t context) {
  advance_to(std::max(exit_cycle + 1, cycle_));
  const auto it = buffered_.find(thread(core, context));
  if (it == buffered_.end()) return;
  out_ << "R\t" << it->second.id << "\t" << next_retire_++ << "\t1\n";  // flushed
  buffered_.erase(it);
}

}  // namespace nicsim::wave
