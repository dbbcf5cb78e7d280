// Region decode and bounds check of one memory access (docs/nic-isa.md section 3). The core
// decides every fault itself except inside the map window, where only the map engine knows
// which values are live: there the access goes to the memory port, which answers the fault.

module nic_agu (
  input  logic [63:0] addr_i,
  input  logic [3:0]  size_i,
  input  logic        write_i,     // store or read-modify-write
  input  logic [31:0] pkt_meta_i,
  input  logic [31:0] pkt_end_i,

  output logic        fault_o,     // out of bounds, decided here
  output logic        map_o,       // map window: the port checks liveness
  output logic        context_o,   // a load from the context window (answered by the core)
  output logic [4:0]  ctx_offset_o
);

  logic [32:0] last;  // one past the last byte
  logic [3:0]  region;
  logic [27:0] offset;
  logic        above_4g, ctx_ok;

  assign above_4g = addr_i[63:32] != '0;
  assign region   = addr_i[31:28];
  assign offset   = addr_i[27:0];
  assign last     = {1'b0, addr_i[31:0]} + {29'b0, size_i};

  always_comb begin
    ctx_ok = 1'b0;
    if (!write_i) begin
      if (size_i == 4'd4) begin
        ctx_ok = offset == 28'd0 || offset == 28'd4 || offset == 28'd8 || offset == 28'd12 ||
                 offset == 28'd16 || offset == 28'd20;
      end else if (size_i == 4'd8) begin
        ctx_ok = offset == 28'd0 || offset == 28'd4 || offset == 28'd8;
      end
    end
  end

  always_comb begin
    fault_o   = 1'b1;
    map_o     = 1'b0;
    context_o = 1'b0;
    if (!above_4g) begin
      unique case (region)
        nic_pkg::RegionPacket: fault_o = (addr_i[31:0] < pkt_meta_i) || (last > {1'b0, pkt_end_i});
        nic_pkg::RegionStack:  fault_o = last > nic_pkg::StackEnd;
        nic_pkg::RegionContext: begin
          fault_o   = !ctx_ok;
          context_o = ctx_ok;
        end
        nic_pkg::RegionMapLo, nic_pkg::RegionMapHi: begin
          fault_o = 1'b0;
          map_o   = 1'b1;
        end
        nic_pkg::RegionFirmware: fault_o = last > nic_pkg::FirmwareEnd;
        default: fault_o = 1'b1;
      endcase
    end
  end

  assign ctx_offset_o = offset[4:0];

endmodule
