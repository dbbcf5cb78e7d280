// The core with its instruction memory and constant pool: the unit that is Verilated. The
// wrapper (testbench/rtl_engine) writes the image through the load ports, then drives the
// dispatcher, memory and helper ports cycle by cycle. Multi-dimensional ports of the core are
// flattened here so that the C++ side sees plain words.
//
// The configuration inputs (core id, entry bundle, entry kind) reach the core through
// registers sampled on every clock edge. The wrapper sets them before it loads the image with
// reset held, so they have settled long before the first packet, and nic_core's contract (stable
// while packets run) holds unchanged. The registers are there for simulation speed: Verilator
// re-evaluates all logic an input reaches whenever it evaluates the model, and the core id
// reaches every special-register read of every lane.
//
// The retire record and the retiring bundle's memory write data are offered registered
// (retired_*_o, the record of the cycle before the last clock edge): the wrapper reads them
// after the edge, so that a cycle without an observer needs a single eval() (inputs, answers
// and clock edge together) instead of one to settle the answers and one for the edge, each
// rerunning all logic the inputs reach. Their unregistered forms (retire_*_o, dmem_wdata_o)
// are nets of nic_top, named for waveforms, not outputs.

module nic_top #(
  parameter int unsigned Lanes        = 4,
  parameter int unsigned Contexts     = 4,
  parameter int unsigned MemPorts     = 2,
  parameter int unsigned ImemDepth    = 4096,
  parameter int unsigned PoolDepth    = 65536,
  parameter int unsigned LoadLatency  = 2,
  parameter int unsigned MulLatency   = 2,
  parameter int unsigned Div64Latency = 33,
  parameter int unsigned Div32Latency = 17,
  localparam int unsigned CtxW    = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned WrPorts = 2 * Lanes + 2 + Contexts,
  localparam int unsigned PortHelper = 2 * Lanes + 2,  // the first helper write port
  localparam int unsigned ImemW   = $clog2(ImemDepth),
  localparam int unsigned PortW   = (MemPorts > 1) ? $clog2(MemPorts) : 1,
  localparam int unsigned LaneW   = (Lanes > 1) ? $clog2(Lanes) : 1,
  localparam int unsigned PoolW   = $clog2(PoolDepth)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,

  input  logic [3:0]                core_id_i,
  input  logic [11:0]               entry_i,
  input  logic                      raw_entry_i,

  input  logic                      imem_we_i,
  input  logic [ImemW-1:0]          imem_waddr_i,
  input  logic [Lanes*64-1:0]       imem_wdata_i,
  input  logic                      pool_we_i,
  input  logic [PoolW-1:0]          pool_waddr_i,
  input  logic [63:0]               pool_wdata_i,

  input  logic                      start_i,
  input  logic [CtxW-1:0]           start_ctx_i,
  input  logic [31:0]               start_pkt_data_i,
  input  logic [31:0]               start_pkt_end_i,
  input  logic [31:0]               start_pkt_meta_i,
  input  logic [31:0]               start_ingress_i,
  input  logic [31:0]               start_rx_queue_i,
  input  logic [31:0]               start_cpu_id_i,
  input  logic [63:0]               start_time_ns_i,
  input  logic [Contexts-1:0]       abort_i,

  output logic [CtxW-1:0]           dmem_ctx_o,
  output logic [MemPorts-1:0]       dmem_valid_o,
  output logic [MemPorts-1:0]       dmem_write_o,
  output logic [MemPorts-1:0]       dmem_map_o,
  output logic [MemPorts*32-1:0]    dmem_addr_o,
  output logic [MemPorts*4-1:0]     dmem_size_o,
  input  logic [MemPorts*64-1:0]    dmem_rdata_i,
  input  logic [MemPorts-1:0]       dmem_map_fault_i,

  input  logic                      helper_busy_i,
  output logic                      helper_valid_o,
  output logic [CtxW-1:0]           helper_ctx_o,
  output logic [31:0]               helper_id_o,
  output logic [5*64-1:0]           helper_args_o,
  input  logic [63:0]               helper_r0_i,
  input  logic [15:0]               helper_latency_i,
  input  logic                      helper_fault_i,
  input  logic [31:0]               helper_pkt_data_i,
  input  logic [31:0]               helper_pkt_end_i,
  input  logic [31:0]               helper_pkt_meta_i,

  output logic                      retired_valid_o,
  output logic [CtxW-1:0]           retired_ctx_o,
  output logic [11:0]               retired_addr_o,
  output logic                      retired_commit_o,
  output logic                      retired_end_o,
  output logic                      retired_fault_o,
  output logic [63:0]               retired_r0_o,
  output logic [MemPorts*64-1:0]    retired_wdata_o,
  output logic [WrPorts-1:0]        rf_wr_valid_o,
  output logic                      rf_wr_commit_o,
  output logic [WrPorts*CtxW-1:0]   rf_wr_ctx_o,
  output logic [WrPorts*4-1:0]      rf_wr_reg_o,
  output logic [PortHelper*64-1:0]  rf_wr_data_o,
  output logic                      rf_wr_helper_now_o,
  output logic [Contexts*64-1:0]    rf_wr_helper_held_o,

  output logic                      fetch_valid_o,
  output logic [CtxW-1:0]           fetch_ctx_o,
  output logic [11:0]               fetch_addr_o,
  output logic [Contexts*64-1:0]    ctx_r0_o,
  output logic [Contexts-1:0]       running_o,
  output logic [Contexts*3-1:0]     stall_o,  // bit planes: bit k of context c's code at k*K + c
  output logic [63:0]               cycle_o
);

  // The retire record and the memory ports' write data as the core offers them in the cycle:
  // named for waveforms (top.retire_*_o, top.dmem_wdata_o) but not outputs, since the wrapper
  // reads them registered (retired_*_o) and a simulator evaluates a top-level output that
  // depends on the answers once more after every clock edge.
  logic                   retire_valid_o;
  logic [CtxW-1:0]        retire_ctx_o;
  logic [11:0]            retire_addr_o;
  logic                   retire_commit_o;
  logic                   retire_end_o;
  logic                   retire_fault_o;
  logic [63:0]            retire_r0_o;
  logic [MemPorts*64-1:0] dmem_wdata_o;

  logic [3:0]             core_id_q;
  logic [11:0]            entry_q;
  logic                   raw_entry_q;

  always_ff @(posedge clk_i) begin
    core_id_q   <= core_id_i;
    entry_q     <= entry_i;
    raw_entry_q <= raw_entry_i;
  end

  // Only a retiring bundle's fields are copied: an idle cycle costs the valid bit.
  always_ff @(posedge clk_i) begin
    retired_valid_o <= retire_valid_o;
    if (retire_valid_o) begin
      retired_ctx_o    <= retire_ctx_o;
      retired_addr_o   <= retire_addr_o;
      retired_commit_o <= retire_commit_o;
      retired_end_o    <= retire_end_o;
      retired_fault_o  <= retire_fault_o;
      retired_r0_o     <= retire_r0_o;
    end
  end
  // retired_wdata_o is registered by the core (its clocked block computes a read-modify-write's
  // data from the memory's answer, which a register here would take from a net).

  logic [11:0]            imem_addr, issue_addr;  // fetch's and issue's read ports
  logic [Lanes*64-1:0]    imem_bundle, issue_bundle;
  logic [nic_pkg::SlotUsesW-1:0] imem_uses;
  logic [Lanes*nic_pkg::SlotCtlBits-1:0] issue_ctl;
  logic [Lanes-1:0]       issue_has_port;
  logic [Lanes*PortW-1:0] issue_port_of;
  logic [3*LaneW-1:0]     issue_lanes;
  logic [Lanes*16-1:0]    pool_addr;
  logic [Lanes*PoolW-1:0] pool_raddr;
  logic [Lanes*64-1:0]    pool_data;

  nic_ram #(.Width(Lanes * 64), .Depth(ImemDepth), .ReadPorts(2)) u_imem (
    .clk_i,
    .we_i    (imem_we_i),
    .waddr_i (imem_waddr_i),
    .wdata_i (imem_wdata_i),
    .raddr_i ({issue_addr[ImemW-1:0], imem_addr[ImemW-1:0]}),
    .rdata_o ({issue_bundle, imem_bundle})
  );

  // The predecoded bits of each bundle, written beside it: the OR over its slots of
  // nic_slot_uses::uses (for issue selection, read by fetch), each slot's control bits
  // (nic_slot_decode::ctl, for the lanes), the lane -> memory port map (for the LSU: the k-th
  // memory operation in lane order uses port k) and the lanes of its multiplication, division
  // and hcall (the last in lane order; 0 where there is none), all three read at issue.
  // Computed here, in the write port's block, so that a simulator evaluates them only while the
  // image is loaded.
  logic [nic_pkg::SlotUsesW-1:0]           imem_uses_q [ImemDepth];
  logic [Lanes*nic_pkg::SlotCtlBits-1:0] imem_ctl_q [ImemDepth];
  logic [Lanes*(PortW+1)-1:0]              imem_ports_q [ImemDepth];  // {port_of, has_port}
  logic [3*LaneW-1:0]                      imem_lanes_q [ImemDepth];  // {hcall, div, mul}

  always_ff @(posedge clk_i) begin
    if (imem_we_i) begin
      logic [nic_pkg::SlotUsesW-1:0]           uses;
      logic [Lanes*nic_pkg::SlotCtlBits-1:0]   ctl;
      logic [nic_pkg::SlotCtlBits-1:0]         slot_ctl;
      logic [Lanes-1:0]                        has_port;
      logic [Lanes*PortW-1:0]                  port_of;
      logic [PortW:0]                          count;  // memory operations in the lanes before
      logic [LaneW-1:0]                        mul_lane, div_lane, hcall_lane;
      uses       = '0;
      count      = '0;
      mul_lane   = '0;
      div_lane   = '0;
      hcall_lane = '0;
      for (int l = 0; l < Lanes; l++) begin
        uses     = uses | nic_slot_uses::uses(imem_wdata_i[l*64 +: 64]);
        slot_ctl = nic_slot_decode::ctl(imem_wdata_i[l*64 +: 64]);
        ctl[l*nic_pkg::SlotCtlBits +: nic_pkg::SlotCtlBits] = slot_ctl;
        has_port[l]                 = slot_ctl[nic_pkg::CtlIsMem] && count < (PortW+1)'(MemPorts);
        port_of[l*PortW +: PortW]   = count[PortW-1:0];
        count                       = count + (PortW+1)'(slot_ctl[nic_pkg::CtlIsMem]);
        if (slot_ctl[nic_pkg::CtlUsesMul]) begin
          mul_lane = LaneW'(l);
        end
        if (slot_ctl[nic_pkg::CtlUsesDiv]) begin
          div_lane = LaneW'(l);
        end
        if (slot_ctl[nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpHcall) begin
          hcall_lane = LaneW'(l);
        end
      end
      imem_uses_q[imem_waddr_i]  <= uses;
      imem_ctl_q[imem_waddr_i]   <= ctl;
      imem_ports_q[imem_waddr_i] <= {port_of, has_port};
      imem_lanes_q[imem_waddr_i] <= {hcall_lane, div_lane, mul_lane};
    end
  end

  assign imem_uses = imem_uses_q[imem_addr[ImemW-1:0]];
  assign issue_ctl = imem_ctl_q[issue_addr[ImemW-1:0]];
  assign {issue_port_of, issue_has_port} = imem_ports_q[issue_addr[ImemW-1:0]];
  assign issue_lanes = imem_lanes_q[issue_addr[ImemW-1:0]];

  for (genvar l = 0; l < Lanes; l++) begin : g_pool_addr
    assign pool_raddr[l*PoolW +: PoolW] = pool_addr[l*16 +: PoolW];
  end

  nic_ram #(.Width(64), .Depth(PoolDepth), .ReadPorts(Lanes)) u_pool (
    .clk_i,
    .we_i    (pool_we_i),
    .waddr_i (pool_waddr_i),
    .wdata_i (pool_wdata_i),
    .raddr_i (pool_raddr),
    .rdata_o (pool_data)
  );

  nic_core #(
    .Lanes        (Lanes),
    .Contexts     (Contexts),
    .MemPorts     (MemPorts),
    .LoadLatency  (LoadLatency),
    .MulLatency   (MulLatency),
    .Div64Latency (Div64Latency),
    .Div32Latency (Div32Latency)
  ) u_core (
    .clk_i, .rst_ni,
    .core_id_i     (core_id_q),
    .entry_i       (entry_q),
    .raw_entry_i   (raw_entry_q),
    .imem_addr_o   (imem_addr),
    .imem_bundle_i (imem_bundle),
    .imem_uses_i   (imem_uses),
    .issue_addr_o  (issue_addr),
    .issue_bundle_i (issue_bundle),
    .issue_ctl_i   (issue_ctl),
    .issue_has_port_i (issue_has_port),
    .issue_port_of_i  (issue_port_of),
    .issue_lanes_i    (issue_lanes),
    .pool_addr_o   (pool_addr),
    .pool_data_i   (pool_data),
    .start_i, .start_ctx_i,
    .start_pkt_data_i, .start_pkt_end_i, .start_pkt_meta_i, .start_ingress_i,
    .start_rx_queue_i, .start_cpu_id_i, .start_time_ns_i,
    .abort_i,
    .dmem_ctx_o, .dmem_valid_o, .dmem_write_o, .dmem_map_o,
    .dmem_addr_o, .dmem_size_o, .dmem_wdata_o, .dmem_rdata_i, .dmem_map_fault_i,
    .issued_wdata_o (retired_wdata_o),
    .helper_busy_i, .helper_valid_o, .helper_ctx_o, .helper_id_o, .helper_args_o,
    .helper_r0_i, .helper_latency_i, .helper_fault_i,
    .helper_pkt_data_i, .helper_pkt_end_i, .helper_pkt_meta_i,
    .retire_valid_o, .retire_ctx_o, .retire_addr_o, .retire_commit_o, .retire_end_o,
    .retire_fault_o, .retire_r0_o,
    .rf_wr_valid_o, .rf_wr_commit_o, .rf_wr_ctx_o, .rf_wr_reg_o, .rf_wr_data_o, .rf_wr_helper_now_o,
    .rf_wr_helper_held_o,
    .fetch_valid_o, .fetch_ctx_o, .fetch_addr_o, .running_o,
    .ctx_r0_o,
    .stall_o,
    .cycle_o
  );

endmodule
