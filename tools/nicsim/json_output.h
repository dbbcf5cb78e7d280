#pragma once
// JSON files in and out, and the human-readable run summary.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "testbench/session/xdp_session.h"

namespace nicsim::cli {

// Throws nicsim::Error naming the file and the parse error position.
nlohmann::json read_json_file(const std::string& path);
// Writes atomically (temporary file, then rename); throws nicsim::Error on failure.
void write_json_file(const std::string& path, const nlohmann::json& value);

void print_run_summary(const nlohmann::json& summary, const testbench::RunStats& stats,
                       const std::string& out_path, uint64_t packets_written);

}  // namespace nicsim::cli
