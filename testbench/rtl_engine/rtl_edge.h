#pragma once
// The clock edge of a Verilated nic_top, as cheap as Verilator 5.006's generated scheduler
// allows while computing exactly what eval() computes. Included by rtl_ports.h only.

#include <concepts>
#include <type_traits>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "verilated.h"

// The trigger computation and the regions of Vnic_top's scheduler (Verilator 5.006 emits them
// with external linkage but declares them in no header). Weak, so that a Verilator that names
// them otherwise still links: the rising edge then goes through eval().
__attribute__((weak)) void Vnic_top___024root___eval_ico(Vnic_top___024root* root);
__attribute__((weak)) void Vnic_top___024root___eval_triggers__act(Vnic_top___024root* root);
__attribute__((weak)) void Vnic_top___024root___eval_act(Vnic_top___024root* root);
__attribute__((weak)) void Vnic_top___024root___eval_nba(Vnic_top___024root* root);

namespace nicsim::rtl {

// Verilator 5.006's scheduler for nic_top: one input-combinational trigger (the first pass of
// every eval()) and two active triggers computed from the top-level inputs clk_i and rst_ni only
// (`posedge clk_i`, and `posedge clk_i or negedge rst_ni` for the asynchronous reset), each
// input with the value it was last seen at. Triggers on inputs only is what lets one pass stand
// for eval()'s loops: no region can change an input, so nothing triggers a second time.
template <typename Root>
concept Verilator5006Scheduler = requires(Root& root) {
  requires std::same_as<decltype(root.__VicoTriggered), VlTriggerVec<1>>;
  requires std::same_as<decltype(root.__VactTriggered), VlTriggerVec<2>>;
  requires std::same_as<decltype(root.__VnbaTriggered), VlTriggerVec<2>>;
  root.__Vtrigrprev__TOP__clk_i;
  root.__Vtrigrprev__TOP__rst_ni;
};

// Looked up once, not at every edge.
inline const bool kVnicTopRegionsLinked = Vnic_top___024root___eval_ico != nullptr &&
                                          Vnic_top___024root___eval_triggers__act != nullptr &&
                                          Vnic_top___024root___eval_act != nullptr &&
                                          Vnic_top___024root___eval_nba != nullptr;

// The rising edge: registers take their next values from this cycle's inputs.
//
// eval() of the build without tracing runs the input-combinational region once, computes the
// active triggers (here: both set by the clock's rising edge), runs the active and NBA regions
// once with them, and then finds that nothing triggers again; around that it spends about 150
// host instructions per call on the trigger loops, their convergence counters and Verilated's
// end-of-eval message queue (which has nothing to do in a single-threaded model without
// $display). Here the generated functions are called in that order, once each, the triggers
// computed by the generated code itself; the scheduler state left behind is what eval()
// recomputes from scratch before it reads it. The traced build (its regions also mark trace
// activity for the waveform) goes through eval().
template <typename Model>
void evaluate_rising_edge(Model& top) {
  top.rootp->clk_i = 1;  // the port in the root (the model's member is a reference to it)
  using Root = std::remove_cvref_t<decltype(*top.rootp)>;
  if constexpr (std::same_as<Model, Vnic_top> && Verilator5006Scheduler<Root>) {
    if (kVnicTopRegionsLinked) {
      Root& root = *top.rootp;
      root.__VicoTriggered.at(0) = true;
      Vnic_top___024root___eval_ico(&root);
      Vnic_top___024root___eval_triggers__act(&root);
      if (root.__VactTriggered.any()) {
        root.__VnbaTriggered = root.__VactTriggered;
        Vnic_top___024root___eval_act(&root);
        Vnic_top___024root___eval_nba(&root);
      }
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
