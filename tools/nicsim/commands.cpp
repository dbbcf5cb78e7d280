#include "tools/nicsim/command.h"

namespace nicsim::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"run", "run an XDP program on traffic (pcap or generated), write the output pcap", run_main},
      {"verify", "check a program as the Linux verifier does (exit 0 accepted, 1 refused)",
       verify_main},
      {"gen", "generate traffic (Ethernet/IPv4/IPv6, UDP/TCP) into a pcap", gen_main},
      {"inspect", "list the programs and maps of a BPF object", inspect_main},
      {"disasm", "disassemble a program (pseudo-C or conformance syntax)", disasm_main},
      {"jit", "compile a program for a target (x86_64, arm64, nic) and show the code", jit_main},
      {"sim", "offload a program to the simulated NIC: cycles/packet, Mpps, IPC, stalls", sim_main},
      {"wave", "open a waveform from `sim --wave` in GTKWave (or print the command)", wave_main},
      {"compare", "offload comparison on a program and traffic (default: the bundled ones)",
       compare_main},
  };
  return kCommands;
}

}  // namespace nicsim::cli
