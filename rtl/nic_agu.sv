// Region decode and bounds check of one memory access (docs/nic-isa.md section 3). The core
// decides every fault itself except inside the map window, where only the map engine knows
// which values are live: there the access goes to the memory port, which answers the fault.
// A function that nic_lane calls for memory slots only (see nic_alu for why).

package nic_agu;

  // The outcome of the check, one bit each.
  localparam int unsigned Fault   = 2;  // out of bounds, decided here
  localparam int unsigned Map     = 1;  // map window: the port checks liveness
  localparam int unsigned Context = 0;  // a load from the context window (answered by the core)

  function automatic logic [2:0] check(logic [63:0] addr, logic [3:0] size, logic write,
                                       logic [31:0] pkt_meta, logic [31:0] pkt_end);
    logic [32:0] last;  // one past the last byte
    logic [27:0] offset;
    logic        ctx_ok;
    offset = addr[27:0];
    last   = {1'b0, addr[31:0]} + {29'b0, size};
    ctx_ok = 1'b0;
    if (!write) begin
      if (size == 4'd4) begin
        ctx_ok = offset == 28'd0 || offset == 28'd4 || offset == 28'd8 || offset == 28'd12 ||
                 offset == 28'd16 || offset == 28'd20;
      end else if (size == 4'd8) begin
        ctx_ok = offset == 28'd0 || offset == 28'd4 || offset == 28'd8;
      end
    end
    check = 3'b100;
    if (addr[63:32] == '0) begin
      unique case (addr[31:28])
        nic_pkg::RegionPacket:
          check[Fault] = (addr[31:0] < pkt_meta) || (last > {1'b0, pkt_end});
        nic_pkg::RegionStack:  check[Fault] = last > nic_pkg::StackEnd;
        nic_pkg::RegionContext: begin
          check[Fault]   = !ctx_ok;
          check[Context] = ctx_ok;
        end
        nic_pkg::RegionMapLo, nic_pkg::RegionMapHi: begin
          check[Fault] = 1'b0;
          check[Map]   = 1'b1;
        end
        nic_pkg::RegionFirmware: check[Fault] = last > nic_pkg::FirmwareEnd;
        default: check[Fault] = 1'b1;
      endcase
    end
  endfunction

endpackage
