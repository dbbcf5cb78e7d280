// The libbpf path: the object as bpftool or any libbpf 1.x loader would load it (BTF, CO-RE,
// global data, map definitions as libbpf reads them), with only the chosen program loaded,
// no map pinned and the verifier's log captured.

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "testbench/kernel_oracle/kernel_resources.h"

namespace nicsim::kernel_oracle::detail {
namespace {

// libbpf reports through one process-wide print callback; while we call it, its messages
// are collected here.
thread_local std::string* libbpf_messages = nullptr;

int collect_libbpf_message(libbpf_print_level level, const char* format, va_list arguments) {
  if (libbpf_messages == nullptr || level == LIBBPF_DEBUG) return 0;
  char line[1024];
  const int n = std::vsnprintf(line, sizeof line, format, arguments);
  if (n > 0)
    libbpf_messages->append(line, std::min<size_t>(static_cast<size_t>(n), sizeof line - 1));
  return 0;
}

class LibbpfMessages {
 public:
  LibbpfMessages() {
    static const bool installed = (libbpf_set_print(collect_libbpf_message), true);
    (void)installed;
    libbpf_messages = &text_;
  }
  ~LibbpfMessages() { libbpf_messages = nullptr; }
  LibbpfMessages(const LibbpfMessages&) = delete;
  LibbpfMessages& operator=(const LibbpfMessages&) = delete;

  std::string& text() { return text_; }
  // libbpf's reason: its last message, unless that only says the object failed to open or
  // load (then the one before it).
  std::string reason() const {
    std::string reason;
    size_t start = 0;
    while (start < text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string::npos) end = text_.size();
      const std::string line = text_.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      if (!reason.empty() && (line.find("failed to load object") != std::string::npos ||
                              line.find("failed to open object") != std::string::npos)) {
        continue;
      }
      reason = line;
    }
    return reason.empty() ? "libbpf printed nothing" : reason;
  }

 private:
  std::string text_;
};

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bpf_program* find_program(bpf_object* object, const ebpf::Program& program) {
  bpf_program* found = nullptr;
  bpf_program* candidate = nullptr;
  bpf_object__for_each_program(candidate, object) {
    if (program.section == bpf_program__section_name(candidate) &&
        program.function == bpf_program__name(candidate)) {
      found = candidate;
    }
  }
  return found;
}

struct OpenedObject {
  bpf_object* object = nullptr;
  bpf_program* program = nullptr;
  std::string error;
};

OpenedObject open_object(const std::vector<uint8_t>& bytes, const std::string& name,
                         const LoadRequest& request) {
  LibbpfMessages messages;
  bpf_object_open_opts open_options{};
  open_options.sz = sizeof open_options;
  open_options.object_name = name.c_str();
  OpenedObject opened;
  opened.object = bpf_object__open_mem(bytes.data(), bytes.size(), &open_options);
  if (opened.object == nullptr || libbpf_get_error(opened.object) != 0) {
    opened.object = nullptr;
    opened.error = "libbpf 1.1 cannot open the object: " + messages.reason();
    return opened;
  }
  opened.program = find_program(opened.object, request.program);
  if (opened.program == nullptr) {
    bpf_object__close(opened.object);
    opened.object = nullptr;
    opened.error =
        fmt::format("libbpf 1.1 does not see '{}' as a program", request.program.display_name());
  }
  return opened;
}

}  // namespace

bool load_with_libbpf(const LoadRequest& request, KernelLoadResult& result,
                      KernelProgram::Resources& resources, std::string& why_not) {
  if (request.object.path.empty()) {
    why_not = "the object has no file for libbpf to open";
    return false;
  }
  auto bytes = read_file(request.object.path);
  if (!bytes) {
    why_not = fmt::format("cannot read {} for libbpf", request.object.path);
    return false;
  }
  const std::string name =
      kernel_object_name(std::filesystem::path(request.object.path).stem().string());
  OpenedObject probe = open_object(*bytes, name, request);
  if (probe.object == nullptr) {
    why_not = probe.error;
    return false;
  }
  bpf_object__close(probe.object);

  result.loader = KernelLoader::Libbpf;
  resources.object_bytes = std::move(*bytes);
  std::string setup_error;
  // Every attempt opens the object afresh: libbpf loads an object once.
  const AttemptOutcome outcome =
      load_with_growing_log(request.options, [&](uint32_t level, char* log, size_t size) -> int {
        if (resources.object != nullptr) {
          bpf_object__close(resources.object);
          resources.object = nullptr;
        }
        OpenedObject opened = open_object(resources.object_bytes, name, request);
        if (opened.object == nullptr) {
          setup_error = opened.error;
          return -EINVAL;
        }
        resources.object = opened.object;
        bpf_program* chosen = nullptr;
        bpf_program* program = nullptr;
        bpf_object__for_each_program(program, opened.object) {
          bpf_program__set_autoload(program, program == opened.program);
          if (program == opened.program) chosen = program;
        }
        if (bpf_program__type(chosen) != static_cast<bpf_prog_type>(request.type)) {
          bpf_program__set_type(chosen, static_cast<bpf_prog_type>(request.type));
        }
        bpf_program__set_log_level(chosen, level);
        bpf_program__set_log_buf(chosen, log, size);
        bpf_map* map = nullptr;
        bpf_object__for_each_map(map, opened.object) {
          bpf_map__set_pin_path(map, nullptr);  // pin nothing, reuse no pinned map
        }
        LibbpfMessages messages;
        const int status = bpf_object__load(opened.object);
        if (status == 0) return bpf_program__fd(chosen);
        // libbpf says "BPF program load failed" once the kernel has answered; anything
        // else failed before the program reached the kernel.
        if (messages.text().find("program load failed") == std::string::npos) {
          setup_error = "libbpf: " + messages.reason();
          return -EINVAL;
        }
        setup_error.clear();
        return status < 0 ? status : -EINVAL;
      });
  if (!setup_error.empty()) {
    result.verdict = KernelVerdict::NotLoaded;
    result.setup_error = setup_error;
    result.error_number = outcome.error_number;
    return true;
  }
  record_outcome(outcome, result);
  resources.program_fd = outcome.fd;
  resources.map_fds.assign(request.object.maps.size(), -1);
  for (size_t i = 0; i < request.object.maps.size(); ++i) {
    bpf_map* map =
        bpf_object__find_map_by_name(resources.object, request.object.maps[i].name.c_str());
    if (map != nullptr) resources.map_fds[i] = bpf_map__fd(map);
  }
  return true;
}

}  // namespace nicsim::kernel_oracle::detail
