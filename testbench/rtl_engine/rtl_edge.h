#pragma once
// The clock edge of a Verilated nic_top, as cheap as Verilator 5.006's generated scheduler
// allows while computing exactly what eval() computes. Included by rtl_ports.h only.

#include <concepts>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "verilated.h"

// The rising edge of the build without tracing, defined in Vnic_top's single translation unit
// with Verilator 5.006 (rtl_edge_regions.inc, where it is explained). Weak, so that a build
// without it still links: the rising edge then goes through eval().
__attribute__((weak)) void nicsim_vnic_top_rising_edge(Vnic_top___024root* root);

namespace nicsim::rtl {

// Looked up once, not at every edge.
inline const bool kVnicTopEdgeLinked = nicsim_vnic_top_rising_edge != nullptr;

// The rising edge: registers take their next values from this cycle's inputs. The traced build
// (its regions also mark trace activity for the waveform) goes through eval().
template <typename Model>
void evaluate_rising_edge(Model& top) {
  top.rootp->clk_i = 1;  // the port in the root (the model's member is a reference to it)
  if constexpr (std::same_as<Model, Vnic_top>) {
    if (kVnicTopEdgeLinked) {
      nicsim_vnic_top_rising_edge(top.rootp);
      return;
    }
  }
  top.eval();
}

// Lowers the clock after a rising edge's eval(). Verilator 5.006 detects the edge by comparing
// clk_i with the value its last eval() saw, so the low phase would need an eval() of its own,
// which reruns all logic the inputs reach and changes nothing: no logic is sensitive to the
// falling edge, and the next eval() reruns that logic anyway with the next cycle's inputs
// before anything reads it. Where the generated model exposes the value last seen, it is set
// as that eval() would set it; otherwise the eval() runs.
template <typename Model>
void lower_clock_after_edge(Model& top) {
  top.rootp->clk_i = 0;
  if constexpr (requires { top.rootp->__Vtrigrprev__TOP__clk_i; })
    top.rootp->__Vtrigrprev__TOP__clk_i = 0;
  else
    top.eval();
}

}  // namespace nicsim::rtl
