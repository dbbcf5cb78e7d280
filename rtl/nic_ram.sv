// A memory with one synchronous write port and ReadPorts asynchronous read ports: the shape of
// the instruction memory (one wide read for fetch) and of the constant pool (one read per
// lane). Written only while the image is loaded.

module nic_ram #(
  parameter int unsigned Width     = 64,
  parameter int unsigned Depth     = 1024,
  parameter int unsigned ReadPorts = 1,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic                         clk_i,
  input  logic                         we_i,
  input  logic [AddrW-1:0]             waddr_i,
  input  logic [Width-1:0]             wdata_i,
  input  logic [ReadPorts*AddrW-1:0]   raddr_i,
  output logic [ReadPorts*Width-1:0]   rdata_o
);

  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
  end

  for (genvar p = 0; p < ReadPorts; p++) begin : g_read
    assign rdata_o[p*Width +: Width] = mem_q[raddr_i[p*AddrW +: AddrW]];
  end

endmodule
